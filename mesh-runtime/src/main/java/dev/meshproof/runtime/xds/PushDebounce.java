package dev.meshproof.runtime.xds;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the control plane waits before pushing a change, as istiod's {@code
 * PILOT_DEBOUNCE_AFTER} / {@code PILOT_DEBOUNCE_MAX}: a push runs once no change arrived for {@code
 * after}, or {@code max} after the first change it carries, whichever comes first.
 *
 * @param after the quiet period; zero pushes every change at once
 * @param max the longest a change waits while changes keep arriving
 */
public record PushDebounce(Duration after, Duration max) {

  /** istiod's defaults: 100 ms quiet, at most 10 s ({@code pilot/pkg/features/tuning.go}). */
  public static final PushDebounce ISTIOD =
      new PushDebounce(Duration.ofMillis(100), Duration.ofSeconds(10));

  /** No debouncing: every change is pushed when it is made. */
  public static final PushDebounce NONE = new PushDebounce(Duration.ZERO, Duration.ZERO);

  public PushDebounce {
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(max, "max");
    if (after.isNegative()) {
      throw new IllegalArgumentException("after: " + after + " (expected: >= 0)");
    }
    if (max.compareTo(after) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= after, " + after + ")");
    }
  }
}
