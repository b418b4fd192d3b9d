package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesIstioStyleAndIsoDurations() {
    assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("500us")).isEqualTo(Duration.ofNanos(500_000));
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("PT0.2S")).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void rejectsWithTheAcceptedForms() {
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining(Durations.EXPECTED);
    assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessageContaining("non-negative");
  }

  @Test
  void formatsWholeMillisecondsShort() {
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Durations.format(Duration.ofNanos(1))).isEqualTo("PT0.000000001S");
  }
}
