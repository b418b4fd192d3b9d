package dev.meshproof.runtime.envoy;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback ports for Envoy's listeners, which Envoy must be told before it binds them. They are
 * taken from below the kernel's ephemeral range: a port released inside that range can be handed to
 * any outgoing connection before Envoy binds it (seen as a NACK "cannot bind ... Address already in
 * use"), while the kernel never assigns a port below the range by itself. Each port is checked free
 * by binding it; a JVM-wide cursor starting at a random offset keeps concurrent runs and successive
 * meshes apart. The testbed's servers that are closed and bound again on the same port (an instance
 * a chaos fault drains or kills) and users' own apps take their ports from the same cursor, so no
 * two of them in one JVM are handed the same port until it wraps around the whole range.
 */
public final class ListenerPorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final int LOWER_BOUND = ephemeralLowerBound();
  private static final AtomicInteger CURSOR =
      new AtomicInteger(new SplittableRandom(System.nanoTime()).nextInt(LOWER_BOUND - LOWEST));

  private ListenerPorts() {}

  /**
   * {@code count} distinct loopback ports, each free when checked; also the control plane's TCP
   * outbound listener ports, which both data planes bind as the xDS names them.
   */
  public static List<Integer> reserve(int count) {
    List<Integer> ports = new ArrayList<>();
    int span = LOWER_BOUND - LOWEST;
    for (int attempt = 0; ports.size() < count && attempt < span; attempt++) {
      int port = LOWEST + Math.floorMod(CURSOR.getAndIncrement(), span);
      if (isFree(port)) {
        ports.add(port);
      }
    }
    if (ports.size() < count) {
      throw new IllegalStateException(
          "no free loopback port between " + LOWEST + " and " + (LOWER_BOUND - 1) + " for Envoy");
    }
    return ports;
  }

  /**
   * Keeps {@code port} bound on 127.0.0.1 without listening, until the returned hold is closed:
   * connections to it are refused (no listener), and {@link #reserve} in this JVM or any other
   * cannot hand it out (its check binds without {@code SO_REUSEADDR}, which a bound socket blocks).
   * For a server closed and bound again on the same port (a disabled network proxy): a port merely
   * released could be reserved and listened on by another run meanwhile, and that listener would
   * accept what must be refused.
   *
   * @throws IOException when the port is listened on (the caller must close its listener first)
   */
  public static Closeable hold(int port) throws IOException {
    Socket socket = new Socket();
    try {
      // SO_REUSEADDR lets the hold coexist with the closed listener's TIME_WAIT connections; the
      // server bound again after the hold is released sets it too (the JDK's default on Linux).
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private static boolean isFree(int port) {
    // A plain bind without SO_REUSEADDR: it fails on a listener, on a hold and on a port still in
    // TIME_WAIT, where a server socket's bind (SO_REUSEADDR on) would pass over the latter two.
    try (Socket socket = new Socket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or the IANA range's 49152. */
  private static int ephemeralLowerBound() {
    // A reader, not Files.readString: procfs reports size 0 and readString can stop short there.
    try (var reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      int lower = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
      return lower > LOWEST + 1_000 ? lower : 49_152;
    } catch (IOException | RuntimeException unreadable) {
      return 49_152;
    }
  }
}
