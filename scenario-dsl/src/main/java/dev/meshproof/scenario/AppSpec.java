package dev.meshproof.scenario;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The user's own HTTP server as the app of a service version, instead of the echo: one the user
 * already started on a loopback port ({@link Listening}), or a command the mesh starts for each
 * replica on a port it picks and stops at the end ({@link Command}). Either sits behind its own
 * sidecar like any workload. Requests it serves are attributed to its instance by the upstream host
 * the client's sidecar logged, since such an app does not name itself as the echo does; chaos
 * faults on service instances reach the echo only.
 */
public sealed interface AppSpec {

  /** The placeholder in a command's arguments and environment replaced by its port. */
  String PORT = "${port}";

  /** An HTTP server already listening on {@code 127.0.0.1:<port>}: one replica. */
  record Listening(InetSocketAddress address) implements AppSpec {
    public Listening {
      Objects.requireNonNull(address, "address");
      if (address.isUnresolved() || !"127.0.0.1".equals(address.getAddress().getHostAddress())) {
        throw new IllegalArgumentException(
            "address: " + address + " (expected: 127.0.0.1:<port>, a server on loopback)");
      }
    }

    /** Parses {@code 127.0.0.1:8080}. */
    public static Listening parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon < 0 || !text.substring(0, colon).equals("127.0.0.1")) {
        throw new IllegalArgumentException(
            "address: " + text + " (expected: 127.0.0.1:<port>, a server on loopback)");
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "address: " + text + " (expected: 127.0.0.1:<port>, port 1-65535)");
      }
      return new Listening(new InetSocketAddress("127.0.0.1", port));
    }

    @Override
    public String toString() {
      return "127.0.0.1:" + address.getPort();
    }
  }

  /**
   * A command started once per replica, with {@value #PORT} in its arguments and environment
   * replaced by the port it must listen on (also in {@code PORT}, with {@code MESHPROOF_SERVICE},
   * {@code MESHPROOF_VERSION}, {@code MESHPROOF_INSTANCE}); ready once the port accepts connections
   * (at most {@code startTimeout}), stopped (SIGTERM, then SIGKILL after 5 s) when the run ends.
   *
   * <p>It runs in {@code workingDir}: the directory of the scenario file that declares it (so a
   * relative {@code ./my-app} in the file means the same wherever {@code meshproof} is started),
   * or, for a scenario built in Java, the caller's working directory.
   *
   * @param command the program and its arguments
   * @param env extra environment variables
   * @param startTimeout how long the command may take to listen on its port
   * @param workingDir where the command runs; empty for the caller's working directory
   */
  record Command(
      List<String> command,
      Map<String, String> env,
      Duration startTimeout,
      Optional<Path> workingDir)
      implements AppSpec {
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    /** A command run in the caller's working directory. */
    public Command(List<String> command, Map<String, String> env, Duration startTimeout) {
      this(command, env, startTimeout, Optional.empty());
    }

    /** The same command run in {@code dir} (a scenario file's directory). */
    public Command inDirectory(Path dir) {
      return new Command(command, env, startTimeout, Optional.of(dir));
    }

    /** The directory the command runs in: {@link #workingDir()}, else the caller's. */
    public Path directory() {
      return workingDir.orElseGet(() -> Path.of("").toAbsolutePath());
    }

    public Command {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException(
            "command: empty (expected: a program and its arguments)");
      }
      env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout: " + startTimeout + " (expected: > 0)");
      }
      Objects.requireNonNull(workingDir, "workingDir");
      workingDir = workingDir.map(d -> d.toAbsolutePath().normalize());
    }

    /** {@code command} with the default environment and start timeout. */
    public static Command of(String... command) {
      return new Command(List.of(command), Map.of(), DEFAULT_START_TIMEOUT);
    }
  }
}
