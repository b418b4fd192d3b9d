package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.AppSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The user's own apps of one deployment: commands started per replica on a port picked here, each
 * awaited until its port accepts connections, and all stopped at the end (SIGTERM, then SIGKILL
 * after 5 s). An app the user started themselves is only checked to be listening.
 */
final class OwnApps implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** A started command: its process and the file its output goes to. */
  private record Started(String instance, Process process, Path log) {}

  private final List<Started> started = new ArrayList<>();

  /**
   * Where the app of {@code instance} listens: the user's own address, checked to accept
   * connections, or the port of a command started now and awaited.
   *
   * @throws ScenarioAbortedException when the app does not listen, exits, or cannot be started
   */
  InetSocketAddress start(
      AppSpec app, String service, String version, String instance, Path workingDir) {
    if (app instanceof AppSpec.Listening listening) {
      if (!accepts(listening.address())) {
        throw new ScenarioAbortedException(
            "apps: "
                + service
                + " "
                + version
                + ": nothing listens on "
                + listening
                + " (expected: your HTTP server, started before the run)",
            Map.of(),
            null);
      }
      return listening.address();
    }
    AppSpec.Command command = (AppSpec.Command) app;
    int port = freePort();
    List<String> argv =
        command.command().stream()
            .map(a -> a.replace(AppSpec.PORT, Integer.toString(port)))
            .toList();
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDir.toFile());
    Map<String, String> env = builder.environment();
    env.put("PORT", Integer.toString(port));
    env.put("MESHPROOF_SERVICE", service);
    env.put("MESHPROOF_VERSION", version);
    env.put("MESHPROOF_INSTANCE", instance);
    command.env().forEach((k, v) -> env.put(k, v.replace(AppSpec.PORT, Integer.toString(port))));
    Path log;
    Process process;
    try {
      log = Files.createTempFile("meshproof-app-" + instance + "-", ".log");
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      process = builder.start();
    } catch (IOException e) {
      throw new ScenarioAbortedException(
          "apps: " + service + " " + version + ": cannot start " + argv + ": " + e.getMessage(),
          Map.of(),
          e);
    }
    Started app1 = new Started(instance, process, log);
    started.add(app1);
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    long deadline = System.nanoTime() + command.startTimeout().toNanos();
    while (!accepts(address)) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String why =
            process.isAlive()
                ? "did not listen on "
                    + address
                    + " within "
                    + command.startTimeout().toMillis()
                    + " ms"
                : "exited with " + process.exitValue() + " before listening on " + address;
        throw new ScenarioAbortedException(
            "apps: " + service + " " + version + ": " + argv + " " + why,
            Map.of("app_log " + instance, tail(log)),
            null);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    return address;
  }

  /** Each started app's output, by instance, as evidence. */
  Map<String, String> logs() {
    Map<String, String> logs = new java.util.LinkedHashMap<>();
    for (Started app : started) {
      logs.put(app.instance() + " (its own app)", tail(app.log()));
    }
    return logs;
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A port free right now on loopback. Another process could take it before the app binds it: the
   * app then fails to listen and the run aborts saying so, never hits the wrong server silently
   * (the readiness check would connect to that other process, which is why the app's own log is
   * attached).
   */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback: " + e.getMessage(), e);
    }
  }

  private static String tail(Path log) {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Stops every started command: SIGTERM, SIGKILL after {@link #STOP_GRACE}; removes its log. */
  @Override
  public void close() {
    for (Started app : started) {
      app.process().descendants().forEach(ProcessHandle::destroy);
      app.process().destroy();
    }
    for (Started app : started) {
      try {
        if (!app.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          app.process().descendants().forEach(ProcessHandle::destroyForcibly);
          app.process().destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        app.process().destroyForcibly();
      }
      try {
        Files.deleteIfExists(app.log());
      } catch (IOException e) {
        // A leftover temp file is harmless.
      }
    }
    started.clear();
  }
}
