package dev.meshproof.runtime.policy.lb;

import dev.meshproof.common.RandomSource;

/**
 * Envoy's locality-weighted pick inside one priority ({@code locality_weighted_lb_config}, {@code
 * load_balancer_impl.cc chooseHealthyLocality}): each locality's effective weight is its {@code
 * load_balancing_weight} times its availability, {@code min(1, 1.4 * healthy / total)} with the
 * default overprovisioning factor; a locality is chosen with probability proportional to it. Envoy
 * walks an EDF schedule over those weights; a seeded draw per request gives the same shares and
 * replays from the seed.
 */
public final class LocalityWeights {
  private LocalityWeights() {}

  /** Each locality's effective weight (0 when it has no weight or no healthy host). */
  public static double[] effective(int[] weights, int[] healthy, int[] total, int factor) {
    double[] out = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      double availability =
          total[i] == 0 ? 0 : Math.min(1.0, factor / 100.0 * healthy[i] / total[i]);
      out[i] = weights[i] * availability;
    }
    return out;
  }

  /** The locality drawn in proportion to {@code effective}; -1 when every weight is 0. */
  public static int pick(double[] effective, RandomSource random) {
    double sum = 0;
    for (double w : effective) {
      sum += w;
    }
    if (sum <= 0) {
      return -1;
    }
    double draw = random.nextDouble() * sum;
    double cumulative = 0;
    int last = -1;
    for (int i = 0; i < effective.length; i++) {
      if (effective[i] <= 0) {
        continue;
      }
      cumulative += effective[i];
      last = i;
      if (draw < cumulative) {
        return i;
      }
    }
    return last;
  }
}
