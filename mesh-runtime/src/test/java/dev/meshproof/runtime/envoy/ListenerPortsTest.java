package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Closeable;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerPortsTest {

  @Test
  void reservedPortsAreDistinctFreeAndOutsideTheKernelsEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    int ephemeralLow = 49_152;
    if (Files.exists(range)) {
      try (var reader = Files.newBufferedReader(range)) {
        ephemeralLow = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
      }
    }
    int lowerBound = ephemeralLow;

    List<Integer> ports = ListenerPorts.reserve(3);

    assertThat(ports)
        .hasSize(3)
        .doesNotHaveDuplicates()
        .allMatch(p -> p >= 10_000 && p < lowerBound);
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(socket.getLocalPort()).isEqualTo(port);
      }
    }
  }

  @Test
  void aPortInUseIsSkipped() throws Exception {
    int next = ListenerPorts.reserve(1).get(0) + 1;
    try (ServerSocket taken = new ServerSocket(next, 1, InetAddress.getLoopbackAddress())) {
      assertThat(ListenerPorts.reserve(1)).doesNotContain(next);
    }
  }

  @Test
  void aHeldPortRefusesConnectionsIsNotReservedAndCanBeListenedOnOnceReleased() throws Exception {
    int port = ListenerPorts.reserve(1).get(0);
    // As a disabled proxy does: the listener closes its accepted connection first, which leaves
    // that connection in TIME_WAIT on the port; the hold must still bind.
    try (ServerSocket listener = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
      listener.accept().close();
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    }
    Closeable hold = ListenerPorts.hold(port);
    try (Socket probe = new Socket()) {
      assertThatThrownBy(
              () -> probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
          .isInstanceOf(ConnectException.class);
      // reserve()'s own check: a bind without SO_REUSEADDR, which the hold blocks.
      Socket strictBind = new Socket();
      strictBind.setReuseAddress(false);
      assertThatThrownBy(
              () -> strictBind.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
          .isInstanceOf(BindException.class);
      strictBind.close();
    } finally {
      hold.close();
    }
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }
}
