package dev.meshproof.scenario.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadTargetTest {

  @Test
  void onlyLoopbackIpv4IsATarget() {
    assertThatThrownBy(() -> LoadTarget.of(new InetSocketAddress("10.0.0.1", 80), "echo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 127.0.0.1");
    assertThat(LoadTarget.of(new InetSocketAddress("127.0.0.1", 80), "echo").path()).isEqualTo("/");
  }

  @Test
  void openLoopPlansRateTimesDuration() {
    assertThat(LoadPhase.openLoop(1000, Duration.ofMillis(200)).plannedRequests()).isEqualTo(200);
    assertThat(
            LoadPhase.openLoop(1000, Duration.ofSeconds(5)).withMaxRequests(10).plannedRequests())
        .isEqualTo(10);
  }
}
