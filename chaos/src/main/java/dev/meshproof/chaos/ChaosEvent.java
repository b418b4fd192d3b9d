package dev.meshproof.chaos;

import java.time.Duration;
import java.util.Objects;

/**
 * One entry of a chaos run's event log, the report's evidence of when each fault was in force.
 *
 * @param at offset from the start of the run, by the run's clock
 * @param fault the fault's {@link Fault#description()}
 * @param kind what happened
 * @param message detail: empty for success, the failure for {@link Kind#FAILED}
 */
public record ChaosEvent(Duration at, String fault, Kind kind, String message) {

  /** Checks non-null fields. */
  public ChaosEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** What happened to a fault. */
  public enum Kind {
    /** The fault is in force from {@code at}. */
    INJECTED,
    /** The fault is no longer in force from {@code at}. */
    REVERTED,
    /** Injecting or reverting failed; the message says which and why. */
    FAILED
  }

  @Override
  public String toString() {
    return "+"
        + at.toMillis()
        + "ms "
        + kind
        + " "
        + fault
        + (message.isEmpty() ? "" : ": " + message);
  }
}
