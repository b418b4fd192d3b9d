package dev.meshproof.runtime.policy.outlier;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The hosts a load balancer may pick from: the healthy ones (not ejected), unless the cluster is in
 * panic, when Envoy balances over all hosts ({@code load_balancer_impl.cc isHostSetInPanic}: the
 * healthy percentage below {@code common_lb_config.healthy_panic_threshold}, or no healthy host at
 * all while the threshold is above zero). With a threshold of 0 — Istio 1.31+ on every EDS cluster
 * — panic is off and a cluster with every host ejected has no healthy upstream (503 UH).
 */
public final class HostSelection {
  /** Envoy's default {@code healthy_panic_threshold} when {@code common_lb_config} sets none. */
  public static final double ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT = 50.0;

  private HostSelection() {}

  /** The hosts to balance over; empty when there is none (no healthy upstream). */
  public static <H> List<H> candidates(
      List<H> hosts, Predicate<H> ejected, double panicThresholdPercent) {
    if (hosts.isEmpty()) {
      return List.of();
    }
    List<H> healthy = new ArrayList<>(hosts.size());
    for (H host : hosts) {
      if (!ejected.test(host)) {
        healthy.add(host);
      }
    }
    if (healthy.size() == hosts.size()) {
      return hosts;
    }
    if (inPanic(healthy.size(), hosts.size(), panicThresholdPercent)) {
      return hosts;
    }
    return List.copyOf(healthy);
  }

  /** Envoy's panic test for one priority's host set. */
  public static boolean inPanic(int healthy, int total, double panicThresholdPercent) {
    if (panicThresholdPercent <= 0) {
      return false;
    }
    double healthyPercent = total == 0 ? 0.0 : 100.0 * healthy / total;
    return healthy == 0 || healthyPercent < panicThresholdPercent;
  }
}
