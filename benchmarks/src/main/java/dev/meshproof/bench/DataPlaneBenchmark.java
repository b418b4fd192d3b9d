package dev.meshproof.bench;

import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadGenerator;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadResult;
import dev.meshproof.scenario.load.LoadTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The data-plane benchmark: in one run on loopback, the echo service reached directly, through one
 * sidecar (the server's inbound listener) and through two (client outbound, then server inbound),
 * for our embedded sidecar and for Envoy, each proxy its own OS process. Per path and protocol:
 * closed loop for maximum throughput, then open loop at a fixed rate with latency from the intended
 * start (no coordinated omission); each after a warm-up on the same connections. The paths of all
 * data planes are measured in rounds (A, B, then B, A, ...), and the report gives each figure as
 * the median over rounds with its spread, ratios taken within a round, and flags the phases whose
 * pacing lag or machine load make their tails unreliable. Writes a Markdown report and a
 * percentile-distribution file.
 */
@Command(
    name = "data-plane-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks our sidecar against Envoy on loopback (latency, throughput, CPU, RSS).")
public final class DataPlaneBenchmark implements Callable<Integer> {
  static final String SERVICE = "echo";

  /** The gRPC echo's service, on a port named {@code grpc}. */
  static final String GRPC_SERVICE = "echo-grpc";

  @Option(names = "--rate", defaultValue = "1000", description = "open-loop rate, requests/s")
  double rate;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "rounds; each measures every path of every data plane once, the planes' order"
              + " alternating between rounds, so a burst of outside load lands on all of them")
  int rounds;

  @Option(
      names = "--open-warmup",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "open-loop warm-up (e.g. 5s)")
  Duration openWarmup;

  @Option(
      names = "--open-duration",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "open-loop measured duration")
  Duration openDuration;

  @Option(
      names = "--closed-warmup",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description = "closed-loop warm-up")
  Duration closedWarmup;

  @Option(
      names = "--closed-duration",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "closed-loop measured duration")
  Duration closedDuration;

  @Option(
      names = "--max-requests",
      defaultValue = "5000000",
      description = "upper bound of requests per closed-loop phase")
  long maxRequests;

  @Option(
      names = "--request-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "a request unanswered this long counts as a timeout")
  Duration requestTimeout;

  @Option(names = "--connections", defaultValue = "16")
  int connections;

  @Option(names = "--body-size", defaultValue = "1024", description = "request body bytes")
  int bodySize;

  @Option(
      names = "--protocols",
      defaultValue = "http1,h2c",
      split = ",",
      description = "http1, h2c and/or grpc (unary calls to the gRPC echo on a grpc port)")
  List<String> protocols;

  @Option(
      names = "--data-planes",
      defaultValue = "embedded,envoy",
      split = ",",
      description = "embedded (our sidecar, one child JVM per proxy) and/or envoy")
  List<String> dataPlanes;

  @Option(
      names = "--sidecar-jvm-options",
      defaultValue = SidecarProcessDataPlane.DEFAULT_JVM_OPTIONS,
      split = " ",
      description =
          "JVM options of each embedded-sidecar child JVM, space separated (default: the"
              + " launcher's, chosen for resident memory; see BENCHMARKS.md)")
  List<String> sidecarJvmOptions;

  @Option(
      names = "--output",
      defaultValue = "data-plane-benchmark.md",
      description = "Markdown report; percentiles go next to it (-percentiles.txt)")
  Path output;

  private final PrintStream progress = System.out;

  public static void main(String[] args) {
    int code = new CommandLine(new DataPlaneBenchmark()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws IOException {
    List<HttpProtocol> protos = protocols.stream().map(HttpProtocol::parse).distinct().toList();
    for (String plane : dataPlanes) {
      if (!plane.equals("embedded") && !plane.equals("envoy")) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--data-planes: " + plane + " (expected: embedded, envoy)");
      }
    }
    if (rounds < 1) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--rounds: " + rounds + " (expected: at least 1)");
    }
    long started = System.nanoTime();
    List<Measurement> measurements = new ArrayList<>();
    List<Plane> planes = new ArrayList<>();
    try (EchoServer echo =
            EchoServer.builder().service(SERVICE).journalCapacity(1_000).build().start();
        GrpcEchoServer grpcEcho =
            GrpcEchoServer.builder().service(GRPC_SERVICE).journalCapacity(1_000).build().start()) {
      try {
        // Every data plane is up for the whole run, so that each round measures them under the
        // same conditions; an idle proxy costs the others next to nothing.
        for (String plane : dataPlanes) {
          planes.add(Plane.start(plane, sidecarPlane(plane), echo, grpcEcho, protos, progress));
        }
        for (int round = 1; round <= rounds; round++) {
          progress.printf(Locale.ROOT, "%n==== round %d of %d%n", round, rounds);
          // A, B in odd rounds and B, A in even ones: a drift in the machine's load over the run
          // favours neither.
          List<Plane> order = new ArrayList<>(planes);
          if (round % 2 == 0) {
            java.util.Collections.reverse(order);
          }
          for (HttpProtocol protocol : protos) {
            LoadTarget direct =
                protocol == HttpProtocol.GRPC
                    ? LoadTarget.of(grpcEcho.address(), GRPC_SERVICE)
                    : LoadTarget.of(echo.address(), SERVICE);
            measurements.addAll(measurePath(round, "direct", 0, direct, protocol, List.of()));
            for (Plane plane : order) {
              measurements.addAll(measurePlane(round, plane, protocol));
            }
          }
        }
      } finally {
        for (Plane plane : planes) {
          plane.mesh().close();
        }
      }
    }
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    BenchmarkReport report =
        new BenchmarkReport(
            settings(), measurements, protos, dataPlanes, total, MachineLoad.cpus());
    Path absolute = output.toAbsolutePath();
    if (absolute.getParent() != null) {
      Files.createDirectories(absolute.getParent());
    }
    Files.writeString(absolute, report.markdown());
    String name = absolute.getFileName().toString().replaceFirst("\\.md$", "");
    Path percentiles = absolute.resolveSibling(name + "-percentiles.txt");
    Files.writeString(percentiles, report.percentileDistributions());
    progress.printf(
        Locale.ROOT, "%nwrote %s and %s (%ds)%n", absolute, percentiles, total.toSeconds());
    return 0;
  }

  private DataPlane sidecarPlane(String plane) {
    return plane.equals("envoy")
        ? EnvoyDataPlane.create()
        : SidecarProcessDataPlane.withJvmOptions(sidecarJvmOptions);
  }

  /** One data plane's mesh: the echo's server sidecars and a client sidecar. */
  record Plane(String name, Mesh mesh, Workload server, Workload grpcServer, Workload client) {

    static Plane start(
        String name,
        DataPlane dataPlane,
        EchoServer echo,
        GrpcEchoServer grpcEcho,
        List<HttpProtocol> protos,
        PrintStream progress) {
      // A generous sync timeout: on a shared two-core machine under other builds' load, two child
      // JVMs starting and taking their first xDS took longer than the 20 s default.
      Mesh mesh =
          Mesh.builder()
              .dataPlane(dataPlane)
              .eventLoopThreads(1)
              .syncTimeout(Duration.ofMinutes(2))
              .start();
      try {
        Workload server =
            mesh.deploy(
                WorkloadSpec.builder("echo-v1-0")
                    .label("version", "v1")
                    .serves(SERVICE, 80, echo.address())
                    .build());
        // The gRPC echo behind a port named grpc: HTTP/2 to it from both sidecars, as istiod
        // says.
        Workload grpcServer =
            protos.contains(HttpProtocol.GRPC)
                ? mesh.deploy(
                    WorkloadSpec.builder("echo-grpc-v1-0")
                        .label("version", "v1")
                        .serves(GRPC_SERVICE, 80, grpcEcho.address())
                        .portName("grpc")
                        .build())
                : null;
        Workload client = mesh.deploy(WorkloadSpec.builder("bench-client-0").build());
        mesh.awaitSynced();
        progress.printf(
            Locale.ROOT,
            "%s: server sidecar pid %d, client sidecar pid %d%n",
            name,
            ProxyPids.of(server),
            ProxyPids.of(client));
        return new Plane(name, mesh, server, grpcServer, client);
      } catch (RuntimeException e) {
        mesh.close();
        throw e;
      }
    }
  }

  private List<Measurement> measurePlane(int round, Plane plane, HttpProtocol protocol) {
    boolean grpc = protocol == HttpProtocol.GRPC;
    Workload target = grpc ? plane.grpcServer() : plane.server();
    Proxy targetProxy = new Proxy("server", ProxyPids.of(target), target.sidecar());
    Proxy clientProxy = new Proxy("client", ProxyPids.of(plane.client()), plane.client().sidecar());
    String service = grpc ? GRPC_SERVICE : SERVICE;
    List<Measurement> out = new ArrayList<>();
    out.addAll(
        measurePath(
            round,
            plane.name(),
            1,
            LoadTarget.of(target.sidecar().inboundAddress().orElseThrow(), service),
            protocol,
            List.of(targetProxy)));
    out.addAll(
        measurePath(
            round,
            plane.name(),
            2,
            // The authority names no port: the app dials 80, so the listener of port 80.
            LoadTarget.of(plane.mesh().httpAddress(plane.client(), 80), service),
            protocol,
            List.of(clientProxy, targetProxy)));
    return out;
  }

  /** A proxy process taking part in a path. */
  record Proxy(String role, long pid, SidecarProxy sidecar) {

    /** Why the proxy stopped, or the tail of its log: evidence for a failed warm-up. */
    String evidence() {
      String log = sidecar.log();
      return role
          + " proxy (pid "
          + pid
          + "): "
          + sidecar.failure().orElse("running")
          + (log.isBlank() ? "" : "\n" + log.substring(Math.max(0, log.length() - 3000)));
    }
  }

  private List<Measurement> measurePath(
      int round,
      String plane,
      int hops,
      LoadTarget target,
      HttpProtocol protocol,
      List<Proxy> proxies) {
    progress.printf(
        Locale.ROOT,
        "%n== round %d: %s, %d hop(s), %s -> %s%n",
        round,
        plane,
        hops,
        protocol.label(),
        target);
    try {
      return measurePhases(round, plane, hops, target, protocol, proxies);
    } catch (IllegalStateException e) {
      // One broken path must not cost the whole run: report it as failed, with the evidence.
      progress.println("  FAILED: " + e.getMessage());
      String reason = "failed: " + e.getMessage().lines().findFirst().orElse("");
      return List.of(
          Measurement.notApplicable(
              round, plane, hops, protocol, LoadPhase.Kind.CLOSED_LOOP, reason),
          Measurement.notApplicable(
              round, plane, hops, protocol, LoadPhase.Kind.OPEN_LOOP, reason));
    }
  }

  private List<Measurement> measurePhases(
      int round,
      String plane,
      int hops,
      LoadTarget target,
      HttpProtocol protocol,
      List<Proxy> proxies) {
    List<Measurement> out = new ArrayList<>();
    try (LoadGenerator load =
        LoadGenerator.connect(
            LoadGenerator.options(target)
                .protocol(protocol)
                .connections(connections)
                .bodyBytes(bodySize))) {
      LoadPhase closed =
          LoadPhase.closedLoop(closedDuration)
              .withMaxRequests(maxRequests)
              .withRequestTimeout(requestTimeout);
      LoadPhase open = LoadPhase.openLoop(rate, openDuration).withRequestTimeout(requestTimeout);
      warmUp(load, LoadPhase.closedLoop(closedWarmup).withRequestTimeout(requestTimeout), proxies);
      out.add(measure(load, closed, round, plane, hops, protocol, proxies));
      warmUp(
          load, LoadPhase.openLoop(rate, openWarmup).withRequestTimeout(requestTimeout), proxies);
      out.add(measure(load, open, round, plane, hops, protocol, proxies));
    }
    return out;
  }

  private void warmUp(LoadGenerator load, LoadPhase phase, List<Proxy> proxies) {
    LoadResult warm = load.run(phase);
    progress.println("  warm-up  " + warm);
    if (warm.ok() == 0) {
      throw new IllegalStateException(
          "no successful request during warm-up to "
              + load.options().target()
              + ": "
              + warm
              + "\n"
              + String.join("\n", proxies.stream().map(Proxy::evidence).toList()));
    }
  }

  private Measurement measure(
      LoadGenerator load,
      LoadPhase phase,
      int round,
      String plane,
      int hops,
      HttpProtocol protocol,
      List<Proxy> proxies) {
    List<ProcessUsage> before = proxies.stream().map(p -> ProcessUsage.sample(p.pid())).toList();
    ProcessUsage selfBefore = ProcessUsage.self();
    LoadResult result = load.run(phase);
    ProcessUsage selfAfter = ProcessUsage.self();
    List<Measurement.ProxyCost> costs = new ArrayList<>();
    for (int i = 0; i < proxies.size(); i++) {
      ProcessUsage after = ProcessUsage.sample(proxies.get(i).pid());
      costs.add(
          new Measurement.ProxyCost(
              proxies.get(i).role(),
              after.pid(),
              after.cpuSecondsSince(before.get(i)),
              after.rssBytes()));
    }
    progress.println("  measured " + result);
    if (!result.everyRequestAccountedFor()) {
      throw new IllegalStateException("requests unaccounted for: " + result);
    }
    return new Measurement(
        round,
        plane,
        hops,
        protocol,
        phase.kind(),
        Optional.of(result),
        costs,
        selfAfter.cpuSecondsSince(selfBefore),
        MachineLoad.oneMinute(),
        "");
  }

  private BenchmarkReport.Settings settings() {
    return new BenchmarkReport.Settings(
        rate,
        openWarmup,
        openDuration,
        closedWarmup,
        closedDuration,
        connections,
        bodySize,
        String.join(" ", sidecarJvmOptions),
        String.join(" ", Arrays.asList(commandLine())));
  }

  private String[] commandLine() {
    return new String[] {
      "--rounds=" + rounds,
      "--rate=" + (long) rate,
      "--open-warmup=" + openWarmup.toSeconds() + "s",
      "--open-duration=" + openDuration.toSeconds() + "s",
      "--closed-warmup=" + closedWarmup.toSeconds() + "s",
      "--closed-duration=" + closedDuration.toSeconds() + "s",
      "--connections=" + connections,
      "--body-size=" + bodySize,
      "--protocols=" + String.join(",", protocols),
      "--data-planes=" + String.join(",", dataPlanes)
    };
  }

  /** Reads {@code 500ms}, {@code 5s}, {@code 2m} or ISO-8601 ({@code PT5S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.startsWith("pt")) {
          return Duration.parse(v.toUpperCase(Locale.ROOT));
        }
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
      } catch (RuntimeException e) {
        // Fall through to the message naming what is allowed.
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' (expected: a duration such as 500ms, 15s, 2m or PT15S)");
    }
  }
}
