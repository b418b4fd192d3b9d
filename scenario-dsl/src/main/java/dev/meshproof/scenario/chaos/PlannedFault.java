package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ChaosTrigger;
import dev.meshproof.chaos.ScheduledFault;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a {@link ChaosPlan}: a fault injected {@code at} after the traffic starts (or after
 * the event it waits for) and reverted {@code duration} later, or when the traffic ends; the data
 * form of the chaos module's {@link ScheduledFault}.
 *
 * @param at offset from the start of the traffic, or from {@code after}'s event, {@code >= 0}
 * @param duration how long the fault stays, positive; empty means until the traffic ends (a {@link
 *     FaultSpec#steps stepped} fault, a ramp or flapping, needs one)
 * @param fault the fault and the targets it names
 * @param after the event {@code at} counts from; empty for the start of the traffic
 */
public record PlannedFault(
    Duration at, Optional<Duration> duration, FaultSpec fault, Optional<StartOn> after) {

  /** Checks the window as a {@link ScheduledFault} does, a fault, and a duration where needed. */
  public PlannedFault {
    ScheduledFault.checkWindow(at, duration);
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(after, "after");
    if (fault.stepped() && duration.isEmpty()) {
      throw new IllegalArgumentException(
          "duration: none (expected: a duration for " + fault + ": its steps divide the window)");
    }
  }

  /** An entry at an offset from the start of the traffic. */
  public PlannedFault(Duration at, Optional<Duration> duration, FaultSpec fault) {
    this(at, duration, fault, Optional.empty());
  }

  /**
   * The entry over a running deployment's handles, from {@code start} ({@code at} already counted
   * from the trigger, or from the start): one scheduled fault, or one per step of a stepped fault.
   */
  List<ScheduledFault> resolve(
      ChaosHandles handles, Duration start, Optional<ChaosTrigger> trigger) {
    return fault.steps(start, duration).stream()
        .map(
            step ->
                new ScheduledFault(
                    step.at(), step.duration(), step.fault().resolve(handles), trigger))
        .toList();
  }
}
