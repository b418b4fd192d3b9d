package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

  @Test
  void theDefaultDoublesFrom100MillisecondsAndStopsAt5Seconds() {
    assertThat(IntStream.rangeClosed(0, 8).mapToObj(ReconnectBackoff.DEFAULT::nextBackoff))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1_600),
            Duration.ofMillis(3_200),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
  }

  @Test
  void manyFailuresDoNotOverflowPastTheMaximum() {
    assertThat(ReconnectBackoff.DEFAULT.nextBackoff(Integer.MAX_VALUE))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aMaximumBelowTheInitialDelayIsRejected() {
    assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max: PT1S");
  }
}
