package dev.meshproof.runtime.policy.route;

import dev.meshproof.common.RandomSource;

/**
 * Envoy's {@code type.v3.FractionalPercent}: {@code numerator} out of {@code denominator} (100,
 * 10,000 or 1,000,000), how istiod writes every Istio percentage ({@code route.go
 * translatePercentToFractionalPercent}: {@code value * 10000} per million; an integer percent per
 * hundred). A numerator above the denominator means always, as in Envoy.
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/type/v3/percent.proto#type-v3-fractionalpercent">Envoy
 *     FractionalPercent</a>
 */
public record FractionalPercent(long numerator, long denominator) {

  /** 100 out of 100. */
  public static final FractionalPercent ALWAYS = new FractionalPercent(100, 100);

  /** Envoy's default value of an unset FractionalPercent: 0 out of 100. */
  public static final FractionalPercent NEVER = new FractionalPercent(0, 100);

  public FractionalPercent {
    if (numerator < 0) {
      throw new IllegalArgumentException("numerator: " + numerator + " (expected: >= 0)");
    }
    if (denominator != 100 && denominator != 10_000 && denominator != 1_000_000) {
      throw new IllegalArgumentException(
          "denominator: " + denominator + " (expected: 100, 10000 or 1000000)");
    }
  }

  /**
   * Envoy's {@code featureEnabled} with a given draw: {@code draw % denominator < numerator}. A
   * caller that decides several percentages on one draw (Envoy's mirror policies share the
   * request's stable random value) passes the same draw to each.
   */
  public boolean enabledFor(long draw) {
    return Long.remainderUnsigned(draw, denominator) < numerator;
  }

  /** One fresh draw from {@code random} against this percentage. */
  public boolean sample(RandomSource random) {
    return enabledFor(random.nextLong(denominator));
  }

  /** The fraction this percentage stands for, capped at 1. */
  public double fraction() {
    return Math.min(1.0, (double) numerator / denominator);
  }
}
