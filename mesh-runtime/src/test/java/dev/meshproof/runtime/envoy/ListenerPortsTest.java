package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
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
}
