package dev.meshproof.runtime.policy.retry;

import dev.meshproof.common.RandomSource;
import java.time.Duration;

/**
 * Envoy's jittered exponential back-off between retries ({@code
 * source/common/common/backoff_strategy.cc} {@code JitteredExponentialBackOffStrategy}): the
 * interval starts at {@code base}, doubles after each retry until it would pass {@code max}, and
 * each back-off is a uniform draw of whole milliseconds in {@code [0, interval)}, capped at {@code
 * max}. Envoy's defaults, which Istio keeps, are 25 ms and 10 x base = 250 ms.
 *
 * <p>Retry {@code n} (1-based) therefore waits {@code random % min(base * 2^(n-1), max)} ms. Older
 * Envoy documentation gives {@code (2^n - 1) * base}; the 1.40 code is what is reproduced here.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries">Envoy
 *     retry back-off</a>
 */
public record RetryBackoff(Duration base, Duration max) {
  /** Envoy's default: 25 ms base, 250 ms max. */
  public static final RetryBackoff ENVOY_DEFAULT =
      new RetryBackoff(Duration.ofMillis(25), Duration.ofMillis(250));

  public RetryBackoff {
    if (base.toMillis() <= 0) {
      throw new IllegalArgumentException("base: " + base + " (expected: >= 1ms)");
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
    }
  }

  /** The interval (exclusive upper bound of the draw) before retry {@code retry}, 1-based. */
  public Duration intervalBefore(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry: " + retry + " (expected: >= 1)");
    }
    long interval = base.toMillis();
    for (int i = 1; i < retry; i++) {
      // Envoy: doubling stops once the interval would pass max (or overflow).
      interval = interval < max.toMillis() / 2 ? interval * 2 : max.toMillis();
    }
    return Duration.ofMillis(interval);
  }

  /** The jittered back-off before retry {@code retry} (1-based): one draw from {@code random}. */
  public Duration nextBackoff(int retry, RandomSource random) {
    long interval = intervalBefore(retry).toMillis();
    return Duration.ofMillis(Math.min(random.nextLong(interval), max.toMillis()));
  }
}
