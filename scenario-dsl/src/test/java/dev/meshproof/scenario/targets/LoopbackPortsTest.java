package dev.meshproof.scenario.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ports picked for the user's own apps, and who owns a listener. */
class LoopbackPortsTest {

  @Test
  void aPickedPortIsFreeAndBelowTheEphemeralRangeSoNoBindOfPortZeroCanTakeIt() throws Exception {
    int start = LoopbackPorts.ephemeralRangeStart();
    for (int i = 0; i < 20; i++) {
      int port = LoopbackPorts.forChildProcess();
      assertThat(port).isBetween(LoopbackPorts.LOWEST, start - 1);
      assertThat(LoopbackPorts.bindable(port)).isTrue();
    }
    // What the kernel hands out for port 0 is in the range, never among the picked ones.
    try (ServerSocket any = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(any.getLocalPort()).isGreaterThanOrEqualTo(start);
    }
  }

  @Test
  void aPortSomeoneListensOnIsNotBindable() throws Exception {
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(LoopbackPorts.bindable(held.getLocalPort())).isFalse();
    }
  }

  @Test
  void theListenerBelongsToTheProcessThatBoundItNotToAnother() throws Exception {
    Process other = new ProcessBuilder("sleep", "30").start();
    try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = held.getLocalPort();
      assertThat(LoopbackPorts.listenerOwnedBy(ProcessHandle.current(), port)).isTrue();
      assertThat(LoopbackPorts.listenerOwnedBy(other.toHandle(), port)).isFalse();
    } finally {
      other.destroy();
      other.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
