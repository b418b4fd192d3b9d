package dev.meshproof.chaos;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a {@link ChaosTimeline}: a fault injected {@code at} after the run starts (or after
 * its {@code trigger} happened), and reverted {@code duration} later, or when the run ends.
 *
 * @param at offset from the start of the run, or from the trigger, {@code >= 0}
 * @param duration how long the fault stays, positive; empty means until the run ends
 * @param fault the fault
 * @param trigger the event the offset counts from; empty for the start of the run
 */
public record ScheduledFault(
    Duration at, Optional<Duration> duration, Fault fault, Optional<ChaosTrigger> trigger) {

  /** Checks a non-negative offset and a positive duration. */
  public ScheduledFault {
    checkWindow(at, duration);
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(trigger, "trigger");
  }

  /** A fault at an offset from the start of the run. */
  public ScheduledFault(Duration at, Optional<Duration> duration, Fault fault) {
    this(at, duration, fault, Optional.empty());
  }

  /**
   * Checks a fault's window: a non-negative offset from the start of the run and, when bounded, a
   * positive duration. Shared by every schedule of faults, resolved or still a plan.
   *
   * @throws IllegalArgumentException naming the field and the allowed values
   */
  public static void checkWindow(Duration at, Optional<Duration> duration) {
    Objects.requireNonNull(at, "at");
    if (at.isNegative()) {
      throw new IllegalArgumentException("at: " + at + " (expected: >= 0s from the start)");
    }
    Objects.requireNonNull(duration, "duration");
    duration.ifPresent(
        d -> {
          if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration: " + d + " (expected: > 0)");
          }
        });
  }

  /**
   * When the fault is reverted, from the start of the run or its trigger, or empty when it lasts
   * until the run ends.
   */
  public Optional<Duration> revertAt() {
    return duration.map(at::plus);
  }
}
