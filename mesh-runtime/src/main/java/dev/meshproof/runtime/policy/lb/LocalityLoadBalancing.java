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
 * region than the proxy region's {@code failover.to}; then renumbered 0..N without gaps), or by
 * {@code failoverPriority} labels ({@link #assignEndpoints}).
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
      raw[i] = failoverPriority(proxy, localities.get(i), setting.failover());
    }
    int[] dense = dense(raw);
    for (int i = 0; i < localities.size(); i++) {
      out.set(i, new Assignment(localities.get(i), dense[i], OptionalInt.empty(), false));
    }
    return out;
  }

  /**
   * One group of a cluster's load assignment for a proxy ({@code LocalityLbEndpoints}): its
   * locality, the endpoints it holds (indexes into its locality's endpoints, in order), its
   * priority, its {@code load_balancing_weight} (empty: none set) and whether its endpoints are
   * dropped (a distribute pattern missed it).
   */
  public record Group(
      Locality locality,
      List<Integer> endpoints,
      int priority,
      OptionalInt weight,
      boolean dropped) {
    public Group {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * istiod's {@code ApplyLocalityLoadBalancer} over the endpoints themselves: as {@link #assign},
   * one group per locality, except that with {@code failoverPriority} (and failover enabled) each
   * locality's endpoints are split by the priority their labels give them ({@code
   * applyFailoverPriorities}, {@code applyFailoverPriorityPerLocality}: 0 when every listed label
   * has the proxy's value, else {@code n - j} for the first label {@code j} of {@code n} that
   * differs; a {@code label=value} entry compares {@code value} instead of the proxy's; a label
   * neither has counts as equal), each split group weighted by its endpoint count (istiod sums the
   * endpoints' weights, 1 each), priorities renumbered from 0 without gaps; with {@code failover}
   * too, each group's priority becomes {@code 5 * priority +} its locality failover priority,
   * renumbered again. A proxy without labels leaves the priorities at 0, as istiod.
   *
   * @param endpointLabels for each of {@code localities}, its endpoints' labels (with the topology
   *     labels of {@link TopologyLabels})
   */
  public static List<Group> assignEndpoints(
      Locality proxy,
      Map<String, String> proxyLabels,
      List<Locality> localities,
      List<List<Map<String, String>>> endpointLabels,
      LocalityLbSetting setting,
      boolean enableFailover) {
    if (!setting.isEnabled()
        || !setting.distribute().isEmpty()
        || !enableFailover
        || setting.failoverPriority().isEmpty()) {
      List<Assignment> assigned = assign(proxy, localities, setting, enableFailover);
      List<Group> out = new ArrayList<>();
      for (int i = 0; i < assigned.size(); i++) {
        Assignment a = assigned.get(i);
        out.add(
            new Group(
                a.locality(),
                indexes(endpointLabels.get(i).size()),
                a.priority(),
                a.weight(),
                a.dropped()));
      }
      return out;
    }
    List<Group> groups = new ArrayList<>();
    if (proxyLabels.isEmpty()) {
      for (int i = 0; i < localities.size(); i++) {
        groups.add(
            new Group(
                localities.get(i),
                indexes(endpointLabels.get(i).size()),
                0,
                OptionalInt.empty(),
                false));
      }
    } else {
      for (int i = 0; i < localities.size(); i++) {
        java.util.TreeMap<Integer, List<Integer>> byPriority = new java.util.TreeMap<>();
        List<Map<String, String>> labels = endpointLabels.get(i);
        for (int e = 0; e < labels.size(); e++) {
          byPriority
              .computeIfAbsent(
                  labelPriority(proxyLabels, labels.get(e), setting.failoverPriority()),
                  p -> new ArrayList<>())
              .add(e);
        }
        for (Map.Entry<Integer, List<Integer>> split : byPriority.entrySet()) {
          groups.add(
              new Group(
                  localities.get(i),
                  split.getValue(),
                  split.getKey(),
                  OptionalInt.of(split.getValue().size()),
                  false));
        }
      }
      groups = renumbered(groups, groups.stream().mapToInt(Group::priority).toArray());
    }
    if (!setting.failover().isEmpty()) {
      int[] raw = new int[groups.size()];
      for (int g = 0; g < groups.size(); g++) {
        raw[g] =
            groups.get(g).priority() * 5
                + failoverPriority(proxy, groups.get(g).locality(), setting.failover());
      }
      groups = renumbered(groups, raw);
    }
    return groups;
  }

  /**
   * istiod's per-endpoint {@code failoverPriority} match: 0 when the endpoint has the proxy's value
   * (or the entry's {@code =value}) for every label, else {@code n - j} for the first label {@code
   * j} that differs ({@code n} labels); a label absent on a side is the empty value.
   */
  public static int labelPriority(
      Map<String, String> proxyLabels,
      Map<String, String> endpointLabels,
      List<String> failoverPriority) {
    List<String> names = new ArrayList<>();
    Map<String, String> overrides = new java.util.HashMap<>();
    for (String entry : failoverPriority) {
      // Go's strings.Split: an override only when exactly one '=' splits the entry.
      String[] parts = entry.split("=", -1);
      names.add(parts[0]);
      if (parts.length == 2) {
        overrides.put(parts[0], parts[1]);
      }
    }
    for (int j = 0; j < names.size(); j++) {
      String label = names.get(j);
      String forProxy =
          overrides.containsKey(label) ? overrides.get(label) : proxyLabels.getOrDefault(label, "");
      if (!forProxy.equals(endpointLabels.getOrDefault(label, ""))) {
        return names.size() - j;
      }
    }
    return 0;
  }

  /**
   * istiod's {@code applyLocalityFailover} for one endpoint locality: {@link
   * Locality#priorityFrom}, or 4 for another region than the proxy region's {@code failover.to}.
   */
  private static int failoverPriority(
      Locality proxy, Locality endpoint, List<LocalityLbSetting.Failover> failover) {
    int priority = endpoint.priorityFrom(proxy);
    if (priority == 3) {
      for (LocalityLbSetting.Failover f : failover) {
        if (f.from().equals(proxy.region())) {
          if (!endpoint.region().equals(f.to())) {
            priority = 4;
          }
          break;
        }
      }
    }
    return priority;
  }

  /** Priorities run from 0 without gaps: each raw priority's rank among the distinct ones. */
  private static int[] dense(int[] raw) {
    List<Integer> distinct =
        new ArrayList<>(new TreeSet<>(java.util.Arrays.stream(raw).boxed().toList()));
    int[] out = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = distinct.indexOf(raw[i]);
    }
    return out;
  }

  private static List<Group> renumbered(List<Group> groups, int[] raw) {
    int[] dense = dense(raw);
    List<Group> out = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Group x = groups.get(g);
      out.add(new Group(x.locality(), x.endpoints(), dense[g], x.weight(), x.dropped()));
    }
    return out;
  }

  private static List<Integer> indexes(int size) {
    List<Integer> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(i);
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
