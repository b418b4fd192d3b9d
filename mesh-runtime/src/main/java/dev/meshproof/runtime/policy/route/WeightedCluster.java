package dev.meshproof.runtime.policy.route;

import java.util.Optional;

/**
 * One cluster of a route's {@code weighted_clusters}, with its non-negative weight and its own
 * header changes and host rewrite (Istio's destination-level {@code headers}).
 */
public record WeightedCluster(
    String name,
    int weight,
    HeaderChanges requestHeaderChanges,
    HeaderChanges responseHeaderChanges,
    Optional<String> hostRewrite) {
  public WeightedCluster {
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
  }

  public WeightedCluster(String name, int weight) {
    this(name, weight, HeaderChanges.NONE, HeaderChanges.NONE, Optional.empty());
  }
}
