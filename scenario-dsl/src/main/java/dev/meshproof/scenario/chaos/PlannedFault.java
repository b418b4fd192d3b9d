package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ScheduledFault;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a {@link ChaosPlan}: a fault injected {@code at} after the traffic starts and
 * reverted {@code duration} later, or when the traffic ends; the data form of the chaos module's
 * {@link ScheduledFault}.
 *
 * @param at offset from the start of the traffic, {@code >= 0}
 * @param duration how long the fault stays, positive; empty means until the traffic ends
 * @param fault the fault and the targets it names
 */
public record PlannedFault(Duration at, Optional<Duration> duration, FaultSpec fault) {

  /** Checks the window as a {@link ScheduledFault} does, and a fault. */
  public PlannedFault {
    ScheduledFault.checkWindow(at, duration);
    Objects.requireNonNull(fault, "fault");
  }

  ScheduledFault resolve(ChaosHandles handles) {
    return new ScheduledFault(at, duration, fault.resolve(handles));
  }
}
