package dev.meshproof.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChaosTimelineTest {
  private final Fault fault =
      ServiceFault.onTargets(
              List.of(new ServiceTarget("reviews-v1-0", new BehaviorControl(Behavior.defaults()))))
          .errors(0.3, "503");

  @Test
  void atWithLastingBoundsTheFaultWindow() {
    ChaosTimeline t =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(5), fault)
            .lasting(Duration.ofSeconds(10))
            .build();

    assertThat(t.faults())
        .containsExactly(
            new ScheduledFault(Duration.ofSeconds(5), Optional.of(Duration.ofSeconds(10)), fault));
    assertThat(t.faults().get(0).revertAt()).contains(Duration.ofSeconds(15));
  }

  @Test
  void atWithoutLastingRunsToTheEnd() {
    ChaosTimeline t = ChaosTimeline.builder().at(Duration.ZERO, fault).build();

    assertThat(t.faults().get(0).duration()).isEmpty();
    assertThat(t.faults().get(0).revertAt()).isEmpty();
  }

  @Test
  void faultsAreOrderedByOffsetKeepingInsertionOrderForTies() {
    Fault other = ServiceFault.onTargets(fault(fault).targets()).notReady();
    ChaosTimeline t =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(9), fault)
            .at(Duration.ofSeconds(1), other)
            .at(Duration.ofSeconds(9), other)
            .build();

    assertThat(t.faults())
        .extracting(ScheduledFault::at, ScheduledFault::fault)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(1), other),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(9), fault),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(9), other));
  }

  @Test
  void noneIsEmpty() {
    assertThat(ChaosTimeline.none().isEmpty()).isTrue();
    assertThat(ChaosTimeline.builder().build()).isEqualTo(ChaosTimeline.none());
  }

  @Test
  void negativeOffsetIsRejectedNamingTheField() {
    assertThatThrownBy(() -> ChaosTimeline.builder().at(Duration.ofSeconds(-1), fault))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("offset: PT-1S");
  }

  @Test
  void zeroOrNegativeDurationIsRejectedNamingTheField() {
    assertThatThrownBy(
            () -> ChaosTimeline.builder().at(Duration.ZERO, fault).lasting(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duration: PT0S");
    assertThatThrownBy(
            () -> ChaosTimeline.builder().at(Duration.ZERO, fault).lasting(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("duration:");
  }

  @Test
  void missingFaultIsRejectedNamingTheField() {
    assertThatThrownBy(() -> ChaosTimeline.builder().at(Duration.ZERO, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("fault: null");
  }

  @Test
  void lastingWithoutAPrecedingAtIsAnError() {
    assertThatThrownBy(() -> ChaosTimeline.builder().lasting(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(
            () ->
                ChaosTimeline.builder()
                    .at(Duration.ZERO, fault)
                    .lasting(Duration.ofSeconds(1))
                    .lasting(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void scheduledFaultRecordValidatesToo() {
    assertThatThrownBy(() -> new ScheduledFault(Duration.ofSeconds(-2), Optional.empty(), fault))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("at:");
  }

  private static ServiceFault fault(Fault f) {
    return (ServiceFault) f;
  }
}
