package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.stats.ChiSquare;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Expects requests to a service to be split across its versions in given proportions, as a
 * VirtualService's weighted routes promise, or across its instances, as a load balancer spreads
 * them. Judged by Pearson's chi-square goodness-of-fit test (Apache Commons Statistics) at a stated
 * alpha over the responses that name the version that served them: the split holds unless the
 * observed counts are less likely than alpha under it. A version whose expected share is 0 must
 * receive no request at all.
 */
public final class SplitExpectation implements Expectation {

  /** What the traffic is split by: the serving version (weights) or instance (load balancing). */
  public enum Dimension {
    VERSION,
    INSTANCE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    java.util.Optional<String> of(RequestObservation r) {
      return this == VERSION ? r.version() : r.instance();
    }
  }

  private final DistributionScope scope;
  private final Map<String, Double> expected;
  private final double alpha;

  private SplitExpectation(DistributionScope scope, Map<String, Double> expected, double alpha) {
    this.scope = scope;
    this.expected = expected;
    this.alpha = alpha;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("service", scope.service());
    scope.addTo(fields);
    fields.put(scope.dimension() == Dimension.VERSION ? "byVersion" : "byInstance", expected);
    fields.put("alpha", alpha);
    return Map.of("split", fields);
  }

  @Override
  public String description() {
    StringBuilder shares = new StringBuilder();
    expected.forEach(
        (v, f) ->
            shares
                .append(shares.length() == 0 ? "" : "/")
                .append(v)
                .append(' ')
                .append(percent(f)));
    return "split of "
        + scope.service()
        + scope.describe("for")
        + " by "
        + scope.dimension().label()
        + " is "
        + shares
        + " (chi-square goodness of fit, alpha "
        + alpha
        + ")";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    DistributionScope.Tally tally = scope.tally(observations);
    Map<String, Long> counts = tally.counts();
    long unattributed = tally.unattributed();
    long n = tally.attributed();
    List<String> categories = new ArrayList<>(expected.keySet());
    counts.keySet().stream().filter(v -> !expected.containsKey(v)).forEach(categories::add);

    List<DistributionRow> rows = new ArrayList<>();
    for (String version : categories) {
      long observed = counts.getOrDefault(version, 0L);
      double share = expected.getOrDefault(version, 0.0);
      rows.add(
          new DistributionRow(
              version, observed, n == 0 ? 0 : (double) observed / n, share, share * n));
    }
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "Pearson chi-square goodness of fit");
    statistics.put("alpha", String.valueOf(alpha));
    statistics.put("attributed responses", String.valueOf(n));
    statistics.put("unattributed requests", String.valueOf(unattributed));

    String observedText = observedText(rows);
    if (n == 0) {
      return new ExpectationResult(
          description(),
          false,
          "no response from "
              + scope.service()
              + " named its "
              + scope.dimension().label()
              + " ("
              + unattributed
              + " requests unattributed)",
          statistics,
          rows);
    }
    List<String> impossible = new ArrayList<>();
    for (DistributionRow row : rows) {
      if (row.expectedFraction() == 0 && row.observed() > 0) {
        impossible.add(row.category() + " received " + row.observed());
      }
    }
    if (!impossible.isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          scope.dimension().label()
              + "s expected to receive nothing did: "
              + String.join(", ", impossible)
              + "; observed "
              + observedText,
          statistics,
          rows);
    }
    List<DistributionRow> tested = rows.stream().filter(r -> r.expectedFraction() > 0).toList();
    if (tested.size() < 2) {
      return new ExpectationResult(
          description(),
          true,
          "all "
              + n
              + " attributed responses came from "
              + tested.get(0).category()
              + "; observed "
              + observedText,
          statistics,
          rows);
    }
    double[] expectedCounts = tested.stream().mapToDouble(DistributionRow::expectedCount).toArray();
    long[] observedCounts = tested.stream().mapToLong(DistributionRow::observed).toArray();
    ChiSquare.Result test = ChiSquare.goodnessOfFit(expectedCounts, observedCounts);
    test.addTo(statistics);
    boolean passed = !test.rejects(alpha);
    String message =
        (passed ? "consistent" : "NOT consistent")
            + " with the expected split: observed "
            + observedText
            + String.format(
                Locale.ROOT,
                "; chi-square %.3f, p-value %.3g %s alpha %s",
                test.statistic(),
                test.pValue(),
                passed ? ">=" : "<",
                alpha);
    return new ExpectationResult(description(), passed, message, statistics, rows);
  }

  private static String observedText(List<DistributionRow> rows) {
    StringBuilder out = new StringBuilder();
    for (DistributionRow row : rows) {
      out.append(out.length() == 0 ? "" : ", ")
          .append(row.category())
          .append('=')
          .append(row.observed())
          .append(" (expected ")
          .append(String.format(Locale.ROOT, "%.1f", row.expectedCount()))
          .append(')');
    }
    return out.toString();
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.4g%%", fraction * 100).replaceAll("\\.?0+%$", "%");
  }

  /** Configures a {@link SplitExpectation}. */
  public static final class Builder extends DistributionBuilder<Builder> {
    private Dimension dimension = Dimension.VERSION;
    private Map<String, Double> expected;

    Builder(String service) {
      super(service);
    }

    @Override
    Builder self() {
      return this;
    }

    /** Expected share per version, as fractions summing to 1 (e.g. v1 0.9, v2 0.1). */
    public Builder byVersion(Map<String, Double> shares) {
      return shares(Dimension.VERSION, shares);
    }

    /**
     * Expected share per instance (pod name, e.g. {@code catalog-v1-0}), as fractions summing to 1:
     * how a load balancer spreads requests over a subset's endpoints.
     */
    public Builder byInstance(Map<String, Double> shares) {
      return shares(Dimension.INSTANCE, shares);
    }

    private Builder shares(Dimension dimension, Map<String, Double> shares) {
      this.dimension = dimension;
      double sum = 0;
      for (Map.Entry<String, Double> share : shares.entrySet()) {
        if (share.getValue() < 0 || share.getValue() > 1) {
          throw new IllegalArgumentException(
              "by"
                  + (dimension == Dimension.VERSION ? "Version." : "Instance.")
                  + share.getKey()
                  + ": "
                  + share.getValue()
                  + " (expected: a fraction in [0, 1])");
        }
        sum += share.getValue();
      }
      if (Math.abs(sum - 1) > 1e-9) {
        throw new IllegalArgumentException(
            "by"
                + (dimension == Dimension.VERSION ? "Version" : "Instance")
                + ": shares sum to "
                + sum
                + " (expected: 1)");
      }
      this.expected = new TreeMap<>(shares);
      return this;
    }

    @Override
    public SplitExpectation build() {
      if (expected == null) {
        throw new IllegalArgumentException(
            "byVersion: missing (expected: e.g. Map.of(\"v1\", 0.9, \"v2\", 0.1))");
      }
      // byVersion() keeps the shares in a TreeMap: categories are reported in version order.
      return new SplitExpectation(
          scope(dimension),
          java.util.Collections.unmodifiableMap(new LinkedHashMap<>(expected)),
          alpha());
    }
  }
}
