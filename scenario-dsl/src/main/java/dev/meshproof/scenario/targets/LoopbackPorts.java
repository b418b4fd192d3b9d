package dev.meshproof.scenario.targets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Ports on loopback for a process the mesh starts (a user's own app) and that binds the port
 * itself, so the port is picked here, then bound there: a window in which another process could
 * take it.
 *
 * <p>The window is narrowed where it is widest: a port bound with port 0, and the local port of
 * every outgoing connection, come from the kernel's ephemeral range ({@code
 * /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default on Linux; 49152-65535 elsewhere),
 * so a port picked <em>below</em> it is never handed to anyone meanwhile. Only a process that binds
 * that very number can still take it; {@link #listenerOwnedBy} then tells the two apart, so the
 * mesh never mistakes another process's server for the app.
 */
final class LoopbackPorts {
  /** The lowest port picked: above the registered services most machines run. */
  static final int LOWEST = 10_000;

  private static final int TRIES = 200;

  private LoopbackPorts() {}

  /**
   * A port free on loopback now, below the kernel's ephemeral range, at a random place in [{@link
   * #LOWEST}, the range's start) so concurrent runs seldom try the same one.
   *
   * @throws IllegalStateException when none of {@value #TRIES} candidates is free
   */
  static int forChildProcess() {
    int below = ephemeralRangeStart();
    int span = below - LOWEST;
    int first = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < Math.min(TRIES, span); i++) {
      int port = LOWEST + (first + i) % span;
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port on loopback in ["
            + LOWEST
            + ", "
            + below
            + ") after "
            + TRIES
            + " tries (expected: a port below the ephemeral range for the app to bind)");
  }

  /**
   * A port for a server of the mesh that is closed and bound again on the same port (an instance a
   * chaos fault kills or drains, then restarts): outside the ephemeral range, so that meanwhile no
   * outgoing connection (the sidecars make many) and no {@code bind(0)} is handed it. Picked as
   * {@link #forChildProcess()}.
   */
  static int forRebinding() {
    return forChildProcess();
  }

  /** The first port of the kernel's ephemeral range (Linux: read; elsewhere IANA's 49152). */
  static int ephemeralRangeStart() {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    // Read by line: Files.readString trusts the size /proc reports and returns a truncated text.
    try (java.io.BufferedReader reader = Files.newBufferedReader(range)) {
      String[] bounds = reader.readLine().trim().split("\\s+");
      int low = Integer.parseInt(bounds[0]);
      // A range starting too low leaves no room below it: take IANA's then.
      return low > LOWEST + 1_000 ? low : 49_152;
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }

  /** Whether {@code port} can be bound on loopback now (nobody listens on it). */
  static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether the socket listening on {@code port} belongs to {@code process} or one of its
   * descendants (a shell script's child), by the socket inodes in {@code /proc/net/tcp*} and the
   * processes' {@code /proc/<pid>/fd}. Where {@code /proc} cannot tell (not Linux, no permission)
   * this answers true: the app's start is then judged by its port accepting connections alone.
   */
  static boolean listenerOwnedBy(ProcessHandle process, int port) {
    Set<String> inodes = listeningInodes(port);
    if (inodes.isEmpty()) {
      return true;
    }
    List<ProcessHandle> owners = Stream.concat(Stream.of(process), process.descendants()).toList();
    for (ProcessHandle owner : owners) {
      Path fds = Path.of("/proc", Long.toString(owner.pid()), "fd");
      try (Stream<Path> links = Files.list(fds)) {
        boolean owns =
            links.anyMatch(
                fd -> {
                  try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith("socket:[")
                        && inodes.contains(target.substring(8, target.length() - 1));
                  } catch (IOException | UnsupportedOperationException e) {
                    return false;
                  }
                });
        if (owns) {
          return true;
        }
      } catch (IOException e) {
        // The process exited meanwhile, or its fds are not ours to read: ask the next one.
      }
    }
    // Every candidate's fds were readable only if at least one listing succeeded; otherwise /proc
    // cannot tell.
    return owners.stream()
        .noneMatch(o -> Files.isReadable(Path.of("/proc", Long.toString(o.pid()), "fd")));
  }

  /** The inodes of the sockets listening on {@code port} (IPv4 and IPv6), empty without /proc. */
  private static Set<String> listeningInodes(int port) {
    Set<String> inodes = new HashSet<>();
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue;
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
          inodes.add(f[9]);
        }
      }
    }
    return inodes;
  }
}
