package dev.meshproof.bench;

import dev.meshproof.bench.load.HttpProtocol;
import dev.meshproof.bench.load.LoadGenerator;
import dev.meshproof.bench.load.LoadPhase;
import dev.meshproof.bench.load.LoadResult;
import dev.meshproof.bench.load.LoadTarget;
import dev.meshproof.fake.grpc.GrpcEchoServer;
import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
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
 * The data-plane benchmark (issue ENVOY-TARGET): in one run on loopback, the echo service reached
 * directly, through one sidecar (the server's inbound listener) and through two (client outbound,
 * then server inbound), for our embedded sidecar and for Envoy, each proxy its own OS process. Per
 * path and protocol: closed loop for maximum throughput, then open loop at a fixed rate with
 * latency from the intended start (no coordinated omission); each after a warm-up on the same
 * connections. Writes a Markdown report and a percentile-distribution file.
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
      names = "--open-warmup",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "open-loop warm-up (e.g. 5s)")
  Duration openWarmup;

  @Option(
      names = "--open-duration",
      defaultValue = "15s",
      converter = DurationConverter.class,
      description = "open-loop measured duration")
  Duration openDuration;

  @Option(
      names = "--closed-warmup",
      defaultValue = "3s",
      converter = DurationConverter.class,
      description = "closed-loop warm-up")
  Duration closedWarmup;

  @Option(
      names = "--closed-duration",
      defaultValue = "10s",
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
      defaultValue = "-Xmx256m",
      split = " ",
      description = "JVM options of each embedded-sidecar child JVM, space separated")
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
    long started = System.nanoTime();
    List<Measurement> measurements = new ArrayList<>();
    try (EchoServer echo =
            EchoServer.builder().service(SERVICE).journalCapacity(1_000).build().start();
        GrpcEchoServer grpcEcho =
            GrpcEchoServer.builder().service(GRPC_SERVICE).journalCapacity(1_000).build().start()) {
      for (HttpProtocol protocol : protos) {
        LoadTarget direct =
            protocol == HttpProtocol.GRPC
                ? LoadTarget.of(grpcEcho.address(), GRPC_SERVICE)
                : LoadTarget.of(echo.address(), SERVICE);
        measurements.addAll(measurePath("direct", 0, direct, protocol, List.of()));
      }
      for (String plane : dataPlanes) {
        measurements.addAll(measureDataPlane(plane, echo, grpcEcho, protos));
      }
    }
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    BenchmarkReport report =
        new BenchmarkReport(settings(), measurements, protos, dataPlanes, total);
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

  private List<Measurement> measureDataPlane(
      String plane, EchoServer echo, GrpcEchoServer grpcEcho, List<HttpProtocol> protos) {
    DataPlane dataPlane =
        plane.equals("envoy")
            ? EnvoyDataPlane.create()
            : SidecarProcessDataPlane.withJvmOptions(sidecarJvmOptions);
    List<Measurement> out = new ArrayList<>();
    try (Mesh mesh = Mesh.builder().dataPlane(dataPlane).eventLoopThreads(1).start()) {
      Workload server =
          mesh.deploy(
              WorkloadSpec.builder("echo-v1-0")
                  .label("version", "v1")
                  .serves(SERVICE, 80, echo.address())
                  .build());
      // The gRPC echo behind a port named grpc: HTTP/2 to it from both sidecars, as istiod says.
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
      Proxy serverProxy = new Proxy("server", ProxyPids.of(server), server.sidecar());
      Proxy grpcServerProxy =
          grpcServer == null
              ? null
              : new Proxy("server", ProxyPids.of(grpcServer), grpcServer.sidecar());
      Proxy clientProxy = new Proxy("client", ProxyPids.of(client), client.sidecar());
      progress.printf(
          Locale.ROOT,
          "%s: server sidecar pid %d, client sidecar pid %d%n",
          plane,
          serverProxy.pid(),
          clientProxy.pid());
      for (HttpProtocol protocol : protos) {
        boolean grpc = protocol == HttpProtocol.GRPC;
        Workload target = grpc ? grpcServer : server;
        Proxy targetProxy = grpc ? grpcServerProxy : serverProxy;
        String service = grpc ? GRPC_SERVICE : SERVICE;
        out.addAll(
            measurePath(
                plane,
                1,
                LoadTarget.of(target.sidecar().inboundAddress().orElseThrow(), service),
                protocol,
                List.of(targetProxy)));
        out.addAll(
            measurePath(
                plane,
                2,
                LoadTarget.of(client.sidecar().outboundAddress(), service),
                protocol,
                List.of(clientProxy, targetProxy)));
      }
    }
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
      String plane, int hops, LoadTarget target, HttpProtocol protocol, List<Proxy> proxies) {
    progress.printf(
        Locale.ROOT, "%n== %s, %d hop(s), %s -> %s%n", plane, hops, protocol.label(), target);
    try {
      return measurePhases(plane, hops, target, protocol, proxies);
    } catch (IllegalStateException e) {
      // One broken path must not cost the whole run: report it as failed, with the evidence.
      progress.println("  FAILED: " + e.getMessage());
      String reason = "failed: " + e.getMessage().lines().findFirst().orElse("");
      return List.of(
          Measurement.notApplicable(plane, hops, protocol, LoadPhase.Kind.CLOSED_LOOP, reason),
          Measurement.notApplicable(plane, hops, protocol, LoadPhase.Kind.OPEN_LOOP, reason));
    }
  }

  private List<Measurement> measurePhases(
      String plane, int hops, LoadTarget target, HttpProtocol protocol, List<Proxy> proxies) {
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
      out.add(measure(load, closed, plane, hops, protocol, proxies));
      warmUp(
          load, LoadPhase.openLoop(rate, openWarmup).withRequestTimeout(requestTimeout), proxies);
      out.add(measure(load, open, plane, hops, protocol, proxies));
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
        plane,
        hops,
        protocol,
        phase.kind(),
        Optional.of(result),
        costs,
        selfAfter.cpuSecondsSince(selfBefore),
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
