package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Expects one instance (or version) of a service to receive significantly less than a given share
 * of the service's requests, e.g. an endpoint inside its warmup window (a DestinationRule's {@code
 * loadBalancer.warmup}, Envoy's slow start) getting less than its fair share. Judged by a one-sided
 * exact binomial test (Apache Commons Statistics) over the responses that name who served them: the
 * expectation holds when the hypothesis "its share is at least {@code lessThan}" is rejected at the
 * stated alpha. Alpha is then the chance that a mesh giving the full share passes; the chance that
 * a mesh giving the smaller share fails is the test's 1 - power at that share, which a scenario
 * states beside it.
 */
public final class ShareExpectation implements Expectation {
  private final DistributionScope scope;
  private final String category;
  private final double lessThan;
  private final double alpha;

  private ShareExpectation(Builder b) {
    this.scope = b.scope(b.dimension);
    this.category = b.category;
    this.lessThan = b.lessThan;
    this.alpha = b.alpha();
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("service", scope.service());
    fields.put(scope.dimension().label(), category);
    scope.addTo(fields);
    fields.put("lessThan", lessThan);
    fields.put("alpha", alpha);
    return Map.of("share", fields);
  }

  @Override
  public String description() {
    return scope.dimension().label()
        + " "
        + category
        + " gets less than "
        + percent(lessThan)
        + " of "
        + scope.service()
        + "'s requests"
        + scope.describe("of")
        + " (exact binomial, one-sided, alpha "
        + alpha
        + ")";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    DistributionScope.Tally tally = scope.tally(observations);
    long n = tally.attributed();
    long served = tally.counts().getOrDefault(category, 0L);
    long unattributed = tally.unattributed();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact binomial, one-sided (share less than " + lessThan + ")");
    statistics.put("alpha", String.valueOf(alpha));
    statistics.put("attributed responses", String.valueOf(n));
    statistics.put("unattributed requests", String.valueOf(unattributed));
    statistics.put("served by " + category, String.valueOf(served));
    List<DistributionRow> rows =
        List.of(
            new DistributionRow(
                category, served, n == 0 ? 0 : (double) served / n, lessThan, lessThan * n),
            new DistributionRow(
                "others",
                n - served,
                n == 0 ? 0 : (double) (n - served) / n,
                1 - lessThan,
                (1 - lessThan) * n));
    if (n == 0) {
      return new ExpectationResult(
          description(),
          false,
          "no response from "
              + scope.service()
              + " in scope named its "
              + scope.dimension().label()
              + " ("
              + unattributed
              + " requests unattributed)",
          statistics,
          rows);
    }
    SignificanceResult test =
        BinomialTest.withDefaults()
            .with(AlternativeHypothesis.LESS_THAN)
            .test((int) n, (int) served, lessThan);
    long largestRejected = largestRejectedCount((int) n);
    statistics.put("p_value", String.valueOf(test.getPValue()));
    statistics.put("rejects at most", String.valueOf(largestRejected));
    boolean passed = test.reject(alpha);
    String message =
        String.format(
            Locale.ROOT,
            "%s served %d of %d (%.2f%%): %s than %s; p-value %.3g %s alpha %s (the test rejects"
                + " %s at %d or fewer)",
            category,
            served,
            n,
            100.0 * served / n,
            passed ? "significantly less" : "NOT significantly less",
            percent(lessThan),
            test.getPValue(),
            passed ? "<" : ">=",
            alpha,
            percent(lessThan),
            largestRejected);
    return new ExpectationResult(description(), passed, message, statistics, rows);
  }

  /** The largest count the test calls significantly small among n, -1 when none is. */
  private long largestRejectedCount(int n) {
    BinomialDistribution h0 = BinomialDistribution.of(n, lessThan);
    int k = h0.inverseCumulativeProbability(alpha);
    // inverseCumulativeProbability gives the smallest k with P(X <= k) >= alpha.
    return h0.cumulativeProbability(k) < alpha ? k : k - 1;
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.4g%%", fraction * 100).replaceAll("\\.?0+%$", "%");
  }

  /** Configures a {@link ShareExpectation}. */
  public static final class Builder extends DistributionBuilder<Builder> {
    private SplitExpectation.Dimension dimension;
    private String category;
    private double lessThan = Double.NaN;

    Builder(String service) {
      super(service);
    }

    @Override
    Builder self() {
      return this;
    }

    /** The instance (pod name, e.g. {@code catalog-v1-2}) whose share is judged. */
    public Builder instance(String instance) {
      this.dimension = SplitExpectation.Dimension.INSTANCE;
      this.category = instance;
      return this;
    }

    /** The version whose share is judged. */
    public Builder version(String version) {
      this.dimension = SplitExpectation.Dimension.VERSION;
      this.category = version;
      return this;
    }

    /** The share it must get significantly less of, e.g. 1/3 for one of three equal endpoints. */
    public Builder lessThan(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException(
            "lessThan: " + share + " (expected: a fraction in (0, 1])");
      }
      this.lessThan = share;
      return this;
    }

    @Override
    public ShareExpectation build() {
      if (category == null) {
        throw new IllegalArgumentException(
            "instance: missing (expected: an instance such as catalog-v1-2, or a version)");
      }
      if (Double.isNaN(lessThan)) {
        throw new IllegalArgumentException("lessThan: missing (expected: a fraction in (0, 1])");
      }
      return new ShareExpectation(this);
    }
  }
}
