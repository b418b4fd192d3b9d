package dev.meshproof.scenario.expect;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Expects at least a floor of requests to succeed (a 2xx response; errors, resets and timeouts
 * count as failures). Judged by a one-sided exact binomial test at a stated alpha: the expectation
 * fails when so few successes would be less likely than alpha if the true rate were the floor.
 */
public final class SuccessRateExpectation implements Expectation {
  private final double floor;
  private final double alpha;

  private SuccessRateExpectation(double floor, double alpha) {
    this.floor = floor;
    this.alpha = alpha;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("atLeast", floor);
    fields.put("alpha", alpha);
    return Map.of("successRate", fields);
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "success rate is at least %.4g%% (exact binomial test, one-sided, alpha %s)",
        floor * 100,
        alpha);
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    int n = observations.requests().size();
    int successes =
        (int)
            observations.requests().stream()
                .filter(
                    r ->
                        r.kind() == HttpOutcome.Kind.RESPONSE
                            && r.status() >= 200
                            && r.status() < 300)
                .count();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact binomial, H1: rate < floor");
    statistics.put("alpha", String.valueOf(alpha));
    statistics.put("requests", String.valueOf(n));
    statistics.put("successes", String.valueOf(successes));
    if (n == 0) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    SignificanceResult test =
        BinomialTest.withDefaults().with(AlternativeHypothesis.LESS_THAN).test(n, successes, floor);
    statistics.put("p-value", String.format(Locale.ROOT, "%.6g", test.getPValue()));
    boolean passed = !test.reject(alpha);
    String message =
        String.format(
            Locale.ROOT,
            "%d of %d requests succeeded (%.3f%%); p-value %.3g %s alpha %s",
            successes,
            n,
            100.0 * successes / n,
            test.getPValue(),
            passed ? ">=" : "<",
            alpha);
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link SuccessRateExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private double floor = Double.NaN;
    private double alpha = Significance.DEFAULT_ALPHA;

    Builder() {}

    public Builder atLeast(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "atLeast: " + fraction + " (expected: a fraction in (0, 1])");
      }
      this.floor = fraction;
      return this;
    }

    public Builder atAlpha(double alpha) {
      this.alpha = Significance.checkAlpha(alpha);
      return this;
    }

    @Override
    public SuccessRateExpectation build() {
      if (Double.isNaN(floor)) {
        throw new IllegalArgumentException("atLeast: missing (expected: e.g. atLeast(0.995))");
      }
      return new SuccessRateExpectation(floor, alpha);
    }
  }
}
