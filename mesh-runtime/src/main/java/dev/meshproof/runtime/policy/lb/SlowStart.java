package dev.meshproof.runtime.policy.lb;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Envoy's {@code Cluster.SlowStartConfig} (Istio's {@code loadBalancer.warmup} or the deprecated
 * {@code warmupDurationSecs}): during {@code window} after a host joined the cluster, its weight is
 * scaled by {@code max(minWeightPercent / 100, timeFactor ^ (1 / aggression))}, {@code timeFactor =
 * max(1 ms, time since added) / window}, as Envoy's {@code
 * EdfLoadBalancerBase::applySlowStartFactor}
 * (source/extensions/load_balancing_policies/common/load_balancer_impl.cc) computes it, at
 * millisecond resolution.
 *
 * @param window {@code slow_start_window}; positive (Envoy: a zero window disables slow start)
 * @param aggression {@code aggression.default_value} when set; Envoy's 1.0 (linear) when not
 * @param minWeightPercent {@code min_weight_percent} when set; Envoy's 10 when not
 */
public record SlowStart(
    Duration window, OptionalDouble aggression, OptionalDouble minWeightPercent) {

  /** Envoy's {@code min_weight_percent} when unset (and istiod's when {@code warmup} omits it). */
  public static final double DEFAULT_MIN_WEIGHT_PERCENT = 10;

  /** Envoy's aggression when unset (and istiod's when {@code warmup} omits it): linear. */
  public static final double DEFAULT_AGGRESSION = 1.0;

  public SlowStart {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(aggression, "aggression");
    Objects.requireNonNull(minWeightPercent, "minWeightPercent");
    if (window.toMillis() <= 0) {
      throw new IllegalArgumentException("slow start window " + window + " (expected: >= 1ms)");
    }
  }

  /** Only a window ({@code warmupDurationSecs}): Envoy's aggression and minimum weight. */
  public static SlowStart window(Duration window) {
    return new SlowStart(window, OptionalDouble.empty(), OptionalDouble.empty());
  }

  /** Whether a host added {@code sinceAdded} ago is still in its window (strictly inside). */
  public boolean inWindow(Duration sinceAdded) {
    return sinceAdded.toMillis() < window.toMillis();
  }

  /**
   * The factor a host's weight is multiplied by {@code sinceAdded} after it was added: 1 outside
   * the window. An aggression that is not positive counts as 1, as Envoy logs and does.
   */
  public double factor(Duration sinceAdded) {
    long elapsed = Math.max(0, sinceAdded.toMillis());
    long windowMillis = window.toMillis();
    if (elapsed >= windowMillis) {
      return 1.0;
    }
    double a = aggression.orElse(DEFAULT_AGGRESSION);
    if (!(a > 0.0)) {
      a = 1.0;
    }
    double timeFactor = (double) Math.max(1L, elapsed) / windowMillis;
    double scaled = (a == 1.0 || timeFactor == 1.0) ? timeFactor : Math.pow(timeFactor, 1.0 / a);
    return Math.max(scaled, minWeightPercent.orElse(DEFAULT_MIN_WEIGHT_PERCENT) / 100.0);
  }
}
