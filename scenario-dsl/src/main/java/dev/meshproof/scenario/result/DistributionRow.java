package dev.meshproof.scenario.result;

/**
 * One category of an observed distribution (a version, a subset, a status) beside what the
 * expectation predicted: the evidence behind a split or status-mix verdict.
 */
public record DistributionRow(
    String category,
    long observed,
    double observedFraction,
    double expectedFraction,
    double expectedCount) {}
