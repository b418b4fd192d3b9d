package dev.meshproof.runtime.policy.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.common.VirtualClock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestTimeoutsTest {
  @Test
  void aZeroRouteTimeoutIsDisabled() {
    RequestTimeouts timeouts = new RequestTimeouts(Duration.ZERO, Optional.empty());
    assertThat(timeouts.routeTimer()).isEmpty();
    assertThat(timeouts.routeTimedOut(Duration.ofDays(1))).isFalse();
  }

  @Test
  void aPerTryTimeoutAtOrAboveTheRouteTimeoutIsDropped() {
    assertThat(
            new RequestTimeouts(Duration.ofMillis(200), Optional.of(Duration.ofMillis(200)))
                .perTry())
        .isEmpty();
    assertThat(
            new RequestTimeouts(Duration.ofMillis(200), Optional.of(Duration.ofMillis(100)))
                .perTry())
        .contains(Duration.ofMillis(100));
    assertThat(new RequestTimeouts(Duration.ZERO, Optional.of(Duration.ofSeconds(5))).perTry())
        .contains(Duration.ofSeconds(5));
  }

  @Test
  void theRouteTimeoutFiresExactlyAtItsDeadlineOnTheVirtualClock() {
    VirtualClock clock = new VirtualClock();
    RequestTimeouts timeouts =
        new RequestTimeouts(Duration.ofMillis(300), Optional.of(Duration.ofMillis(100)));
    clock.advance(Duration.ofMillis(299));
    assertThat(timeouts.routeTimedOut(clock.elapsed())).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(timeouts.routeTimedOut(clock.elapsed())).isTrue();
  }

  @Test
  void negativeOrZeroPerTryTimeoutsAreRejected() {
    assertThatThrownBy(() -> new RequestTimeouts(Duration.ZERO, Optional.of(Duration.ZERO)))
        .hasMessageStartingWith("perTry: PT0S");
    assertThatThrownBy(() -> new RequestTimeouts(Duration.ofSeconds(-1), Optional.empty()))
        .hasMessageStartingWith("route: PT-1S");
  }
}
