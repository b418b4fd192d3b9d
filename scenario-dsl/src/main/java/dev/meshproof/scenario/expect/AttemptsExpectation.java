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
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Expects how many upstream attempts each request made, counted from the services' request journals
 * by {@code x-request-id} (the same evidence on every target): an exact count for every request
 * ({@code exactly(3)}, {@code neverRetried()}), or a distribution of counts judged by a chi-square
 * goodness-of-fit test at a stated alpha. A failure lists the offending requests with each of their
 * attempts.
 */
public final class AttemptsExpectation implements Expectation {
  private static final int EVIDENCE = 5;

  private final Optional<String> traffic;
  private final Optional<Integer> exactly;
  private final Map<Integer, Double> distribution;
  private final double alpha;

  private AttemptsExpectation(
      Optional<String> traffic,
      Optional<Integer> exactly,
      Map<Integer, Double> distribution,
      double alpha) {
    this.traffic = traffic;
    this.exactly = exactly;
    this.distribution = distribution;
    this.alpha = alpha;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    exactly.ifPresent(n -> fields.put("exactly", n));
    if (!distribution.isEmpty()) {
      Map<String, Double> byCount = new LinkedHashMap<>();
      distribution.forEach((n, share) -> byCount.put(String.valueOf(n), share));
      fields.put("distribution", byCount);
      fields.put("alpha", alpha);
    }
    return Map.of("attempts", fields);
  }

  @Override
  public String description() {
    String scope = traffic.map(t -> " of traffic '" + t + "'").orElse("");
    if (exactly.isPresent()) {
      return exactly.get() == 1
          ? "every request" + scope + " is never retried (exactly 1 upstream attempt)"
          : "every request" + scope + " makes exactly " + exactly.get() + " upstream attempts";
    }
    return "upstream attempts per request"
        + scope
        + " follow "
        + distribution
        + " (chi-square goodness of fit, alpha "
        + alpha
        + ")";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("requests", String.valueOf(requests.size()));
    if (requests.isEmpty()) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    Map<Integer, Long> counts = new TreeMap<>();
    requests.forEach(r -> counts.merge(r.attempts().size(), 1L, Long::sum));
    statistics.put("attempts per request (observed)", counts.toString());
    if (exactly.isPresent()) {
      List<RequestObservation> wrong =
          requests.stream().filter(r -> r.attempts().size() != exactly.get()).toList();
      boolean passed = wrong.isEmpty();
      String message =
          passed
              ? "all " + requests.size() + " requests made " + exactly.get() + " attempt(s)"
              : wrong.size()
                  + " of "
                  + requests.size()
                  + " requests did not make "
                  + exactly.get()
                  + " attempt(s); "
                  + evidence(wrong);
      return new ExpectationResult(description(), passed, message, statistics, List.of());
    }
    List<Integer> categories = new ArrayList<>(distribution.keySet());
    counts.keySet().stream().filter(k -> !distribution.containsKey(k)).forEach(categories::add);
    List<RequestObservation> outside =
        requests.stream()
            .filter(r -> distribution.getOrDefault(r.attempts().size(), 0.0) == 0.0)
            .toList();
    List<DistributionRow> rows = new ArrayList<>();
    for (int k : categories) {
      long observed = counts.getOrDefault(k, 0L);
      double p = distribution.getOrDefault(k, 0.0);
      rows.add(
          new DistributionRow(
              k + " attempt(s)",
              observed,
              (double) observed / requests.size(),
              p,
              p * requests.size()));
    }
    if (!outside.isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          outside.size()
              + " requests made an attempt count the distribution excludes; "
              + evidence(outside),
          statistics,
          rows);
    }
    List<Integer> possible = categories.stream().filter(k -> distribution.get(k) > 0).toList();
    if (possible.size() < 2) {
      return new ExpectationResult(
          description(), true, "every request in the only expected category", statistics, rows);
    }
    double[] expected =
        possible.stream().mapToDouble(k -> distribution.get(k) * requests.size()).toArray();
    long[] observed = possible.stream().mapToLong(k -> counts.getOrDefault(k, 0L)).toArray();
    ChiSquare.Result test = ChiSquare.goodnessOfFit(expected, observed);
    test.addTo(statistics);
    statistics.put("alpha", String.valueOf(alpha));
    boolean passed = !test.rejects(alpha);
    return new ExpectationResult(
        description(),
        passed,
        String.format(
            Locale.ROOT,
            "attempt counts %s; p-value %.3g %s alpha %s",
            counts,
            test.pValue(),
            passed ? ">=" : "<",
            alpha),
        statistics,
        rows);
  }

  /** The first offending requests with every attempt the services journaled for them. */
  static String evidence(List<RequestObservation> requests) {
    return requests.stream()
        .limit(EVIDENCE)
        .map(
            r ->
                "request "
                    + r.requestId()
                    + " -> "
                    + r.status()
                    + " after "
                    + r.latency().toMillis()
                    + " ms, attempts "
                    + r.attempts())
        .collect(Collectors.joining("; "));
  }

  /** Configures an {@link AttemptsExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private Optional<String> traffic = Optional.empty();
    private Optional<Integer> exactly = Optional.empty();
    private Map<Integer, Double> distribution = Map.of();
    private double alpha = Significance.DEFAULT_ALPHA;

    Builder() {}

    /** Only the requests of the traffic block named {@code name}. */
    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** Every request makes exactly {@code attempts} upstream attempts (1 + retries). */
    public Builder exactly(int attempts) {
      if (attempts < 0) {
        throw new IllegalArgumentException("exactly: " + attempts + " (expected: >= 0)");
      }
      this.exactly = Optional.of(attempts);
      return this;
    }

    /** Every request makes exactly one upstream attempt. */
    public Builder neverRetried() {
      return exactly(1);
    }

    /** Attempt counts follow {@code fractions} (attempt count to fraction, summing to 1). */
    public Builder distribution(Map<Integer, Double> fractions) {
      double sum = fractions.values().stream().mapToDouble(Double::doubleValue).sum();
      if (fractions.isEmpty() || Math.abs(sum - 1) > 1e-9) {
        throw new IllegalArgumentException(
            "distribution: " + fractions + " (expected: fractions summing to 1)");
      }
      this.distribution = Map.copyOf(fractions);
      return this;
    }

    public Builder atAlpha(double alpha) {
      this.alpha = Significance.checkAlpha(alpha);
      return this;
    }

    @Override
    public AttemptsExpectation build() {
      if (exactly.isPresent() == !distribution.isEmpty()) {
        throw new IllegalArgumentException(
            "attempts: set exactly one of exactly(n)/neverRetried() or distribution(...)");
      }
      return new AttemptsExpectation(traffic, exactly, distribution, alpha);
    }
  }
}
