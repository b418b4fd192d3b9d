package dev.meshproof.runtime.policy.lb;

import dev.meshproof.common.RandomSource;
import java.util.Arrays;

/**
 * Envoy's split of a cluster's traffic over its priorities ({@code
 * source/common/upstream/load_balancer_impl.cc recalculatePerPriorityState}, {@code
 * distributeLoad}, {@code choosePriority}): each priority's health is {@code min(100,
 * overprovisioning_factor * healthy / total)} percent, with Envoy's default factor 140 (istiod sets
 * no {@code policy.overprovisioning_factor}); priorities take load in order, each as much as its
 * health over the normalised total health allows, so a priority with at least 1/1.4 (72%) of its
 * hosts healthy takes everything and lower priorities only get what it cannot carry; the rounding
 * remainder goes to the first priority with any load. Degraded hosts do not exist here (no active
 * health checks).
 */
public final class PriorityLoad {
  /** Envoy's default {@code overprovisioning_factor}: 140, i.e. 1.4. */
  public static final int DEFAULT_OVERPROVISIONING_FACTOR = 140;

  private PriorityLoad() {}

  /** Each priority's health in percent: {@code min(100, factor * healthy / total)}, integer. */
  public static int[] health(int[] healthy, int[] total, int overprovisioningFactor) {
    int[] out = new int[healthy.length];
    for (int p = 0; p < healthy.length; p++) {
      out[p] =
          total[p] == 0
              ? 0
              : (int) Math.min(100, (long) overprovisioningFactor * healthy[p] / total[p]);
    }
    return out;
  }

  /**
   * Each priority's share of the load in percent (summing to 100), or all zero when no priority has
   * any health; {@link #pick} then gives priority 0, whose host selection decides between panic
   * (every host) and no healthy upstream.
   */
  public static int[] loads(int[] healthy, int[] total, int overprovisioningFactor) {
    int[] health = health(healthy, total, overprovisioningFactor);
    int normalizedTotal = (int) Math.min(100, Arrays.stream(health).asLongStream().sum());
    int[] load = new int[health.length];
    if (normalizedTotal == 0) {
      return load;
    }
    int remaining = 100;
    int first = -1;
    for (int p = 0; p < health.length; p++) {
      load[p] = Math.min(remaining, health[p] * 100 / normalizedTotal);
      remaining -= load[p];
      if (load[p] > 0 && first == -1) {
        first = p;
      }
    }
    if (remaining > 0 && first >= 0) {
      load[first] += remaining;
    }
    return load;
  }

  /**
   * The priority a request goes to: a draw in [0, 100) against the cumulative loads (Envoy's {@code
   * choosePriority(random % 100)}); priority 0 when every load is zero.
   */
  public static int pick(int[] loads, RandomSource random) {
    if (loads.length <= 1) {
      return 0;
    }
    long draw = random.nextLong(100);
    long cumulative = 0;
    for (int p = 0; p < loads.length; p++) {
      cumulative += loads[p];
      if (draw < cumulative) {
        return p;
      }
    }
    return 0;
  }
}
