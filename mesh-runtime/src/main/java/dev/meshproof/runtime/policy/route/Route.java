package dev.meshproof.runtime.policy.route;

import java.util.List;

/**
 * One route of a virtual host: its match and where it sends traffic. A single destination is a
 * one-element cluster list with any weight.
 */
public record Route(String name, RouteMatch match, List<WeightedCluster> clusters) {
  public Route {
    clusters = List.copyOf(clusters);
    if (clusters.isEmpty()) {
      throw new IllegalArgumentException("clusters: [] (expected: at least one cluster)");
    }
    if (clusters.size() > 1 && clusters.stream().mapToLong(WeightedCluster::weight).sum() == 0) {
      throw new IllegalArgumentException(
          "clusters: weights sum to 0 (expected: a positive total weight)");
    }
  }
}
