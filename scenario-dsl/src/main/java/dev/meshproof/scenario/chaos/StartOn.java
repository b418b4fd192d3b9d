package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ChaosTrigger;

/**
 * The event a planned fault waits for instead of the start of the traffic; its {@code at} then
 * counts from that event.
 */
public sealed interface StartOn {

  /**
   * After {@code count} requests of the method's traffic completed (closed-loop HTTP1 traffic,
   * whose requests the run sees one by one).
   *
   * @param count completed requests, {@code >= 1}
   */
  record Requests(long count) implements StartOn {
    /** Checks a positive count. */
    public Requests {
      new ChaosTrigger.Requests(count);
    }
  }

  /**
   * When an earlier entry of the plan ends (it must have a duration): the two run back to back, or
   * {@code at} apart, however that entry itself started.
   *
   * @param entry the earlier entry's index in the plan, from 0
   */
  record FaultEnds(int entry) implements StartOn {
    /** Checks a non-negative index. */
    public FaultEnds {
      if (entry < 0) {
        throw new IllegalArgumentException(
            "after.faultEnds: " + entry + " (expected: the index of an earlier chaos entry, >= 0)");
      }
    }
  }
}
