package dev.meshproof.runtime.envoy;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.meshproof.common.LoopbackHttp;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real Envoy process as a workload's sidecar. It is started with a bootstrap that points it at
 * the mesh's control plane over ADS and learns everything else from there; its listeners bind the
 * loopback ports reserved for it here. Its log is kept for evidence; {@link #close()} stops it.
 */
final class EnvoySidecar implements SidecarProxy {
  private final String proxyId;
  private final InetSocketAddress outbound;
  private final java.util.Map<Integer, InetSocketAddress> inbounds;
  private final int adminPort;
  private final Path directory;
  private final Path logFile;
  private final EnvoyInstance envoy;
  private final Optional<Process> process;
  private final java.util.Map<Integer, InetSocketAddress> gateway;

  private EnvoySidecar(
      String proxyId,
      InetSocketAddress outbound,
      java.util.Map<Integer, InetSocketAddress> inbounds,
      int adminPort,
      Path directory,
      Path logFile,
      EnvoyInstance envoy,
      Optional<Process> process,
      java.util.Map<Integer, InetSocketAddress> gateway) {
    this.gateway = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(gateway));
    this.proxyId = proxyId;
    this.outbound = outbound;
    this.inbounds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inbounds));
    this.adminPort = adminPort;
    this.directory = directory;
    this.logFile = logFile;
    this.envoy = envoy;
    this.process = process;
  }

  /**
   * Starts an Envoy for {@code request}: a child process of {@code binary} when present, else a
   * container ({@link EnvoyContainer}). Both get the same bootstrap and command line.
   */
  static EnvoySidecar start(Optional<EnvoyBinary> binary, SidecarRequest request, int concurrency) {
    int gatewayPorts = request.gatewayPorts().size();
    int servicePorts = request.servicePorts().size();
    List<Integer> ports = ListenerPorts.reserve(2 + servicePorts + gatewayPorts);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    InetSocketAddress outbound = new InetSocketAddress(loopback, ports.get(0));
    int adminPort = ports.get(1);
    // One inbound listener address per Service port, as the translation names them.
    java.util.Map<Integer, InetSocketAddress> inbound = new java.util.LinkedHashMap<>();
    for (int i = 0; i < servicePorts; i++) {
      inbound.put(request.servicePorts().get(i), new InetSocketAddress(loopback, ports.get(2 + i)));
    }
    java.util.Map<Integer, InetSocketAddress> gateway = new java.util.TreeMap<>();
    int next = ports.size() - gatewayPorts;
    for (int port : request.gatewayPorts()) {
      gateway.put(port, new InetSocketAddress(loopback, ports.get(next++)));
    }
    List<String> arguments =
        List.of(
            "--disable-hot-restart",
            "--concurrency",
            String.valueOf(concurrency),
            "--log-level",
            "warning",
            "--drain-time-s",
            "0",
            // The access log is evidence read right after the traffic: flush it promptly.
            "--file-flush-interval-msec",
            "100");
    try {
      Path directory = EnvoyProcesses.createDirectory(request.workload());
      Path bootstrap = directory.resolve("bootstrap.json");
      Files.writeString(bootstrap, EnvoyBootstrap.json(request, adminPort));
      Path log = directory.resolve("envoy.log");
      if (binary.isEmpty()) {
        return new EnvoySidecar(
            request.proxyId(),
            outbound,
            inbound,
            adminPort,
            directory,
            log,
            EnvoyContainer.start(bootstrap, arguments, log),
            Optional.empty(),
            gateway);
      }
      List<String> command = new ArrayList<>();
      command.add(binary.get().path().toString());
      command.add("--config-path");
      command.add(bootstrap.toString());
      command.addAll(arguments);
      Process process = EnvoyProcesses.spawn(command, log);
      return new EnvoySidecar(
          request.proxyId(),
          outbound,
          inbound,
          adminPort,
          directory,
          log,
          EnvoyInstance.of(process),
          Optional.of(process),
          gateway);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start Envoy "
              + binary.map(b -> b.path().toString()).orElse(EnvoyContainer.image())
              + " for "
              + request.proxyId(),
          e);
    }
  }

  /** The Envoy process id (evidence, and for tests that prove it does not outlive its JVM). */
  long pid() {
    return process.orElseThrow(() -> new IllegalStateException("Envoy runs in a container")).pid();
  }

  /** The directory holding this Envoy's bootstrap and log; removed on close. */
  Path directory() {
    return directory;
  }

  @Override
  public String proxyId() {
    return proxyId;
  }

  @Override
  public InetSocketAddress outboundAddress() {
    return outbound;
  }

  @Override
  public Optional<InetSocketAddress> inboundAddress() {
    return inbounds.values().stream().findFirst();
  }

  @Override
  public java.util.Map<Integer, InetSocketAddress> inboundAddresses() {
    return inbounds;
  }

  @Override
  public java.util.Map<Integer, InetSocketAddress> gatewayAddresses() {
    return gateway;
  }

  @Override
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort));
  }

  /** Polls Envoy's admin {@code /ready}, which answers 200 once its listeners are initialised. */
  @Override
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      failure()
          .ifPresent(
              f -> {
                throw new IllegalStateException(proxyId + ": " + f);
              });
      Optional<HttpResponse<String>> ready = admin("/ready");
      if (ready.isPresent() && ready.get().statusCode() == 200) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            proxyId
                + ": Envoy not ready after "
                + timeout
                + " (admin /ready: "
                + ready.map(r -> r.statusCode() + " " + r.body().trim()).orElse("no answer")
                + ")\n"
                + tail());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  @Override
  public Optional<String> failure() {
    return envoy.exit().map(exit -> exit + "\n" + tail());
  }

  @Override
  public String configDump() {
    return admin("/config_dump")
        .filter(r -> r.statusCode() == 200)
        .map(HttpResponse::body)
        .orElseGet(() -> "{\"error\": \"Envoy admin did not answer /config_dump\"}");
  }

  @Override
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "cannot read " + logFile + ": " + e.getMessage();
    }
  }

  /**
   * Envoy's access log: the JSON lines it wrote to stdout (captured in its log file, among its own
   * log lines, which never start with a brace), each parsed into its keys and string values.
   */
  @Override
  public List<Map<String, String>> accessLogLines() {
    List<Map<String, String>> lines = new ArrayList<>();
    for (String line : log().split("\n")) {
      if (line.startsWith("{") && line.endsWith("}")) {
        lines.add(parseAccessLogLine(line));
      }
    }
    return lines;
  }

  /** One JSON access-log line as keys and values; a JSON null (a missing value) becomes "-". */
  static Map<String, String> parseAccessLogLine(String line) {
    Struct.Builder json = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(line, json);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Envoy access log line is not JSON: " + line, e);
    }
    Map<String, String> out = new TreeMap<>();
    json.getFieldsMap()
        .forEach(
            (key, value) ->
                out.put(
                    key,
                    switch (value.getKindCase()) {
                      case STRING_VALUE -> value.getStringValue();
                      case NUMBER_VALUE ->
                          value.getNumberValue() == Math.rint(value.getNumberValue())
                              ? String.valueOf((long) value.getNumberValue())
                              : String.valueOf(value.getNumberValue());
                      case BOOL_VALUE -> String.valueOf(value.getBoolValue());
                      default -> "-";
                    }));
    return out;
  }

  private String tail() {
    String log = log();
    return "last lines of "
        + logFile
        + ":\n"
        + (log.length() > 4000 ? log.substring(log.length() - 4000) : log);
  }

  private Optional<HttpResponse<String>> admin(String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build();
      return Optional.of(LoopbackHttp.client().send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      envoy.stop();
    } finally {
      process.ifPresentOrElse(
          p -> EnvoyProcesses.stopped(p, directory), () -> EnvoyProcesses.stopped(directory));
    }
  }
}
