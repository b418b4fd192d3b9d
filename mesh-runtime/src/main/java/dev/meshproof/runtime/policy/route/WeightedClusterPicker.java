package dev.meshproof.runtime.policy.route;

import dev.meshproof.common.RandomSource;
import java.util.List;

/**
 * Picks the cluster of a route the way Envoy's {@code WeightedClusterEntry} selection does: draw a
 * value uniformly in {@code [0, totalWeight)} and walk the clusters in order, so each cluster's
 * share is exactly its weight over the total.
 */
public final class WeightedClusterPicker {
  private WeightedClusterPicker() {}

  public static WeightedCluster pick(List<WeightedCluster> clusters, RandomSource random) {
    if (clusters.size() == 1) {
      return clusters.get(0);
    }
    long total = 0;
    for (WeightedCluster cluster : clusters) {
      total += cluster.weight();
    }
    long draw = random.nextLong(total);
    long upper = 0;
    for (WeightedCluster cluster : clusters) {
      upper += cluster.weight();
      if (draw < upper) {
        return cluster;
      }
    }
    throw new IllegalStateException("draw " + draw + " beyond total weight " + total);
  }
}
