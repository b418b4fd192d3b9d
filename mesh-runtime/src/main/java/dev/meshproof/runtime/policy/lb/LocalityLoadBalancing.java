package dev.meshproof.runtime.policy.lb;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * istiod's per-proxy locality load balancing of one cluster's endpoints ({@code
 * pilot/pkg/networking/core/loadbalancer/loadbalancer.go ApplyLocalityLoadBalancer}): given the
 * calling proxy's locality and the localities the endpoints are grouped by, either {@code
 * distribute} weights ({@code applyLocalityWeights}: the first entry whose {@code from} matches the
 * proxy; each {@code to} pattern's weight shared among the localities it matches, rounded up; the
 * localities no pattern matches get no endpoints) or, only with failover enabled (the cluster has
 * outlier detection: Envoy would otherwise never leave priority 0), priorities ({@code
 * applyLocalityFailover}: 0 same subzone, 1 same zone, 2 same region, 3 another region, 4 another
 * region than the proxy region's {@code failover.to}; then renumbered 0..N without gaps).
 */
public final class LocalityLoadBalancing {
  private LocalityLoadBalancing() {}

  /**
   * What one locality's group of endpoints gets: its priority, its {@code load_balancing_weight}
   * (empty: none set), and whether its endpoints are dropped (a distribute pattern missed it).
   */
  public record Assignment(Locality locality, int priority, OptionalInt weight, boolean dropped) {}

  /**
   * The assignment of each of {@code localities} (in order) for a proxy in {@code proxy}: all
   * priority 0 and unweighted when {@code setting} is disabled, or has no distribute and failover
   * is not enabled.
   */
  public static List<Assignment> assign(
      Locality proxy,
      List<Locality> localities,
      LocalityLbSetting setting,
      boolean enableFailover) {
    List<Assignment> out = new ArrayList<>();
    localities.forEach(l -> out.add(new Assignment(l, 0, OptionalInt.empty(), false)));
    if (!setting.isEnabled()) {
      return out;
    }
    if (!setting.distribute().isEmpty()) {
      return distribute(proxy, localities, setting.distribute(), out);
    }
    if (!enableFailover) {
      return out;
    }
    int[] raw = new int[localities.size()];
    for (int i = 0; i < localities.size(); i++) {
      Locality endpoint = localities.get(i);
      int priority = endpoint.priorityFrom(proxy);
      if (priority == 3) {
        for (LocalityLbSetting.Failover f : setting.failover()) {
          if (f.from().equals(proxy.region())) {
            if (!endpoint.region().equals(f.to())) {
              priority = 4;
            }
            break;
          }
        }
      }
      raw[i] = priority;
    }
    // Priorities run from 0 without gaps: renumber the distinct ones in order.
    List<Integer> distinct =
        new ArrayList<>(new TreeSet<>(java.util.Arrays.stream(raw).boxed().toList()));
    for (int i = 0; i < localities.size(); i++) {
      out.set(
          i,
          new Assignment(localities.get(i), distinct.indexOf(raw[i]), OptionalInt.empty(), false));
    }
    return out;
  }

  private static List<Assignment> distribute(
      Locality proxy,
      List<Locality> localities,
      List<LocalityLbSetting.Distribute> rules,
      List<Assignment> out) {
    for (LocalityLbSetting.Distribute rule : rules) {
      if (!proxy.matches(rule.from())) {
        continue;
      }
      Set<Integer> missed = new HashSet<>();
      for (int i = 0; i < localities.size(); i++) {
        missed.add(i);
      }
      for (Map.Entry<String, Integer> to : rule.to().entrySet()) {
        // Each group's own weight is 1 here (istiod: the group's load_balancing_weight, unset).
        List<Integer> matched = new ArrayList<>();
        for (int i = 0; i < localities.size(); i++) {
          if (missed.contains(i) && localities.get(i).matches(to.getKey())) {
            missed.remove(i);
            matched.add(i);
          }
        }
        for (int i : matched) {
          double weight = (double) to.getValue() / matched.size();
          if (weight > 0) {
            out.set(
                i,
                new Assignment(
                    localities.get(i), 0, OptionalInt.of((int) Math.ceil(weight)), false));
          }
        }
      }
      for (int i : missed) {
        out.set(i, new Assignment(localities.get(i), 0, OptionalInt.empty(), true));
      }
      break;
    }
    return out;
  }
}
