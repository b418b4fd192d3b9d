package dev.meshproof.runtime.policy.lb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Envoy's {@code envoy.retry_priorities.previous_priorities} retry priority for one request
 * (Istio's {@code retryRemoteLocalities}, which istiod writes with {@code update_frequency: 2}),
 * after {@code source/extensions/retry/priority/previous_priorities/previous_priorities.cc}: every
 * attempted host is remembered in order ({@code onHostAttempted}); a retry's priority load ({@code
 * determinePriorityLoad}) is the cluster's own while fewer than {@code update_frequency} hosts were
 * attempted; when the count is a multiple of it, the priorities of all attempted hosts are excluded
 * and the load is redistributed over the remaining priorities' health as {@link PriorityLoad} does
 * (in order, the rounding remainder to the first with health); in between, the last redistributed
 * load holds. When no priority is left, the attempted hosts are forgotten and the cluster's own
 * load is used; Envoy's reset loop assigns copies, so the exclusions themselves stay, and so here.
 *
 * <p>Not thread-safe: one request's retries run one after the other.
 */
public final class PreviousPriorities {
  private final int updateFrequency;
  private final List<String> attemptedHosts = new ArrayList<>();
  private boolean[] excluded = new boolean[0];
  private int[] load;

  /**
   * @param updateFrequency {@code update_frequency}: how many attempted hosts between two
   *     recalculations (at least 1)
   */
  public PreviousPriorities(int updateFrequency) {
    if (updateFrequency < 1) {
      throw new IllegalArgumentException(
          "updateFrequency: " + updateFrequency + " (expected: >= 1)");
    }
    this.updateFrequency = updateFrequency;
  }

  /** {@code onHostAttempted}: an attempt went to {@code host}. */
  public void onHostAttempted(String host) {
    attemptedHosts.add(host);
  }

  /**
   * The priority load (percent per priority) of a retry.
   *
   * @param health each priority's health in percent ({@link PriorityLoad#health})
   * @param original the cluster's own priority load
   * @param priorityOf the current priority of an attempted host (empty: no longer in the cluster)
   */
  public int[] priorityLoad(
      int[] health, int[] original, Function<String, OptionalInt> priorityOf) {
    if (attemptedHosts.size() < updateFrequency) {
      return original;
    }
    if (attemptedHosts.size() % updateFrequency == 0) {
      if (excluded.length < health.length) {
        excluded = Arrays.copyOf(excluded, health.length);
      }
      for (String host : attemptedHosts) {
        OptionalInt p = priorityOf.apply(host);
        if (p.isPresent() && p.getAsInt() < excluded.length) {
          excluded[p.getAsInt()] = true;
        }
      }
      int[] adjusted = new int[health.length];
      int total = adjustedAvailability(health, adjusted);
      if (total == 0) {
        attemptedHosts.clear();
        total = adjustedAvailability(health, adjusted);
      }
      if (total == 0) {
        load = null;
        return original;
      }
      int[] out = new int[health.length];
      int remaining = 100;
      while (remaining != 0) {
        for (int i = 0; i < adjusted.length; i++) {
          int delta = Math.min(remaining, adjusted[i] * 100 / total);
          out[i] += delta;
          remaining -= delta;
        }
      }
      load = out;
    }
    return load == null || load.length != original.length ? original : load.clone();
  }

  private int adjustedAvailability(int[] health, int[] adjusted) {
    int total = 0;
    for (int i = 0; i < health.length; i++) {
      boolean out = i < excluded.length && excluded[i];
      adjusted[i] = out ? 0 : health[i];
      total += adjusted[i];
    }
    return Math.min(total, 100);
  }
}
