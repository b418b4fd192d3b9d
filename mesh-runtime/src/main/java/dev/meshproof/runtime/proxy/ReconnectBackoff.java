package dev.meshproof.runtime.proxy;

import java.time.Duration;

/**
 * How long the sidecar waits before reopening a lost ADS stream: {@code initial} after the first
 * failure, doubling per consecutive failure up to {@code max}; a response resets the count. Pure:
 * the ADS client arms the timer on its scheduler.
 *
 * @param initial the delay after the first failure
 * @param max the longest delay
 */
public record ReconnectBackoff(Duration initial, Duration max) {

  /** The default: 100 ms doubling to 5 s. */
  public static final ReconnectBackoff DEFAULT =
      new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  public ReconnectBackoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: > 0s)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
    }
  }

  /** The delay before reconnecting after {@code failuresSoFar} consecutive earlier failures. */
  public Duration nextBackoff(int failuresSoFar) {
    if (failuresSoFar < 0) {
      throw new IllegalArgumentException("failuresSoFar: " + failuresSoFar + " (expected: >= 0)");
    }
    Duration delay = initial;
    for (int i = 0; i < failuresSoFar && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
