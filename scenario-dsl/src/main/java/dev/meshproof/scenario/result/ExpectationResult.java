package dev.meshproof.scenario.result;

import java.util.List;
import java.util.Map;

/**
 * The verdict of one expectation with its evidence: a one-line message that states the observed
 * figures, the statistics of the stated test (test name, statistic, p-value, alpha, sample size),
 * and, for distributions, observed against expected per category.
 */
public record ExpectationResult(
    String description,
    boolean passed,
    String message,
    Map<String, String> statistics,
    List<DistributionRow> distribution) {

  public ExpectationResult {
    statistics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(statistics));
    distribution = List.copyOf(distribution);
  }
}
