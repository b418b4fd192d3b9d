package dev.meshproof.runtime.policy.lb;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A DestinationRule's (or the mesh's) {@code localityLbSetting}: <a
 * href="https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting">
 * LocalityLoadBalancerSetting</a>. {@code distribute} and {@code failover} are alternatives; {@code
 * failoverPriority} orders endpoints by the labels they share with the calling proxy, alone or
 * followed by {@code failover} ({@link LocalityLoadBalancing}).
 *
 * @param enabled {@code enabled}; false turns locality load balancing off for the cluster
 * @param distribute per proxy locality pattern ({@code from}), the weight each endpoint locality
 *     pattern ({@code to}) gets, in order
 * @param failover per proxy region ({@code from}), the region ({@code to}) to fail over to first
 * @param failoverPriority label names in order of importance, each optionally {@code label=value}
 *     (the value compared instead of the proxy's own, istiod's {@code priorityLabelOverrides})
 */
public record LocalityLbSetting(
    Optional<Boolean> enabled,
    List<Distribute> distribute,
    List<Failover> failover,
    List<String> failoverPriority) {

  /** Istio's default mesh config ({@code pkg/config/mesh/mesh.go}): {@code enabled: true}. */
  public static final LocalityLbSetting MESH_DEFAULT =
      new LocalityLbSetting(Optional.of(true), List.of(), List.of());

  public LocalityLbSetting {
    distribute = List.copyOf(distribute);
    failover = List.copyOf(failover);
    failoverPriority = List.copyOf(failoverPriority);
  }

  /** A setting without {@code failoverPriority}. */
  public LocalityLbSetting(
      Optional<Boolean> enabled, List<Distribute> distribute, List<Failover> failover) {
    this(enabled, distribute, failover, List.of());
  }

  /** False only when {@code enabled: false} is written. */
  public boolean isEnabled() {
    return enabled.orElse(true);
  }

  /** One {@code distribute} entry: the share of each endpoint locality pattern, in its order. */
  public record Distribute(String from, Map<String, Integer> to) {
    public Distribute {
      to = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(to));
    }
  }

  /** One {@code failover} entry: proxies in region {@code from} fail over to region {@code to}. */
  public record Failover(String from, String to) {}
}
