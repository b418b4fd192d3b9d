package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.AppSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The user's own apps of one deployment: commands started per replica in the scenario file's
 * directory on a port picked here ({@link LoopbackPorts#forChildProcess()}), each awaited until its
 * port accepts connections on a listener the command owns, and all stopped at the end (SIGTERM,
 * then SIGKILL after 5 s). An app the user started themselves is only checked to be listening.
 */
final class OwnApps implements AutoCloseable {
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** How many ports a command is tried on when other processes take the picked ones first. */
  private static final int PORT_ATTEMPTS = 3;

  /** A started command: its process and the file its output goes to. */
  private record Started(String instance, Process process, Path log) {}

  private final List<Started> started = new ArrayList<>();

  /** Where commands' ports come from: {@link LoopbackPorts#forChildProcess()}, or a test's. */
  private final java.util.function.IntSupplier ports;

  OwnApps() {
    this(LoopbackPorts::forChildProcess);
  }

  /** Apps whose commands get the ports {@code ports} hands out (tests force a taken one). */
  OwnApps(java.util.function.IntSupplier ports) {
    this.ports = ports;
  }

  /**
   * Where the app of {@code instance} listens: the user's own address, checked to accept
   * connections, or the port of a command started now and awaited.
   *
   * @throws ScenarioAbortedException when the app does not listen, exits, or cannot be started
   */
  InetSocketAddress start(AppSpec app, String service, String version, String instance) {
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
    // A port picked outside the kernel's ephemeral range cannot be handed to another process's
    // bind(0) or outgoing connection meanwhile; a process binding that very port can still take
    // it, which is seen and answered with a fresh port (at most PORT_ATTEMPTS times).
    List<Integer> taken = new ArrayList<>();
    for (int attempt = 1; ; attempt++) {
      int port = ports.getAsInt();
      Started started1 = launch(command, service, version, instance, port);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      Optional<String> why = awaitListening(started1, command, address);
      if (why.isEmpty()) {
        return address;
      }
      // Taken: another process listens there, or the app exited and the port is held by someone.
      boolean stolen =
          accepts(address) || (!started1.process().isAlive() && !LoopbackPorts.bindable(port));
      if (stolen) {
        taken.add(port);
        started1.process().destroyForcibly();
        if (attempt < PORT_ATTEMPTS) {
          continue;
        }
      }
      String argv = String.join(" ", command.command());
      throw new ScenarioAbortedException(
          "apps: "
              + service
              + " "
              + version
              + ": ["
              + argv
              + "] "
              + why.get()
              + (taken.isEmpty()
                  ? ""
                  : " (ports " + taken + " were taken by other processes before it bound them)"),
          Map.of("app_log " + instance, tail(started1.log())),
          null);
    }
  }

  /** Starts {@code command} for {@code instance} on {@code port}, in its working directory. */
  private Started launch(
      AppSpec.Command command, String service, String version, String instance, int port) {
    List<String> argv =
        command.command().stream()
            .map(a -> a.replace(AppSpec.PORT, Integer.toString(port)))
            .toList();
    Path dir = command.directory();
    ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile());
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
          "apps: "
              + service
              + " "
              + version
              + ": cannot start "
              + argv
              + " in "
              + dir
              + ": "
              + e.getMessage(),
          Map.of(),
          e);
    }
    Started app = new Started(instance, process, log);
    started.add(app);
    return app;
  }

  /**
   * Waits until the app listens on {@code address}; empty when it does, else why not (it exited, it
   * did not listen in time, or the port is served by another process).
   */
  private static Optional<String> awaitListening(
      Started app, AppSpec.Command command, InetSocketAddress address) {
    Process process = app.process();
    String where = "127.0.0.1:" + address.getPort();
    long deadline = System.nanoTime() + command.startTimeout().toNanos();
    while (!accepts(address)) {
      if (!process.isAlive()) {
        return Optional.of("exited with " + process.exitValue() + " before listening on " + where);
      }
      if (System.nanoTime() - deadline > 0) {
        return Optional.of(
            "did not listen on " + where + " within " + command.startTimeout().toMillis() + " ms");
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    if (!LoopbackPorts.listenerOwnedBy(process.toHandle(), address.getPort())) {
      return Optional.of(
          "does not own the listener on "
              + where
              + ": another process bound the port first (the app's own bind failed)");
    }
    return Optional.empty();
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
