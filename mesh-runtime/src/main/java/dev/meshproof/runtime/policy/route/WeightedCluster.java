package dev.meshproof.runtime.policy.route;

/** One cluster of a route's {@code weighted_clusters}, with its non-negative weight. */
public record WeightedCluster(String name, int weight) {
  public WeightedCluster {
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
  }
}
