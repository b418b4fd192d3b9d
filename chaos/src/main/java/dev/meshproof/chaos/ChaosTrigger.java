package dev.meshproof.chaos;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * An event a {@link ScheduledFault} waits for instead of the start of the run: its offset then
 * counts from the moment the event happened. A trigger that never happens leaves its faults
 * uninjected, and the run records that as {@link ChaosEvent.Kind#FAILED} when it closes, so a fault
 * never silently does not happen.
 */
public sealed interface ChaosTrigger {

  /** For the event log, e.g. {@code "after 100 requests"}. */
  String description();

  /**
   * Fires when the run has been told of {@code count} completed requests ({@link
   * ChaosRun#requestCompleted()}).
   *
   * @param count completed requests, {@code >= 1}
   */
  record Requests(long count) implements ChaosTrigger {
    /** Checks a positive count. */
    public Requests {
      if (count < 1) {
        throw new IllegalArgumentException("requests: " + count + " (expected: >= 1)");
      }
    }

    @Override
    public String description() {
      return "after " + count + " requests";
    }
  }

  /**
   * Fires the first time {@code test} answers true, polled every {@code pollEvery} on the run's
   * scheduler from the start of the run: a probe of the system (an instance turned not ready, an
   * error rate crossed a line), or the end of another fault.
   *
   * @param description what the test checks, for the log
   * @param test the probe; it must not block
   * @param pollEvery how often it is asked, positive
   */
  record Condition(String description, BooleanSupplier test, Duration pollEvery)
      implements ChaosTrigger {
    /** Checks the parts. */
    public Condition {
      if (description == null || description.isBlank()) {
        throw new IllegalArgumentException("description: blank (expected: what the probe checks)");
      }
      Objects.requireNonNull(test, "test");
      Objects.requireNonNull(pollEvery, "pollEvery");
      if (pollEvery.isNegative() || pollEvery.isZero()) {
        throw new IllegalArgumentException("pollEvery: " + pollEvery + " (expected: > 0)");
      }
    }
  }
}
