package dev.meshproof.runtime.policy.lb;

import java.util.List;
import java.util.OptionalLong;

/**
 * A consistent-hash cluster's table, as istiod's {@code ApplyRingHashLoadBalancer}
 * (pilot/pkg/networking/core/cluster_traffic_policy.go) sets it: {@code maglev} gives Envoy's
 * MAGLEV with its {@code tableSize} when not 0; {@code ringHash} gives RING_HASH with its {@code
 * minimumRingSize} when not 0; neither gives RING_HASH with the deprecated {@code minimumRingSize},
 * or 1024.
 */
public sealed interface ConsistentHashLb {

  /** The host index (into {@code hostKeys}) for a request hash. */
  interface Table {
    int hostFor(long hash);
  }

  /** Builds this table over {@code hostKeys}, the hosts' addresses as Envoy prints them. */
  Table build(List<String> hostKeys);

  /** Envoy's RING_HASH; {@code minimumRingSize} empty means no {@code ring_hash_lb_config}. */
  record RingHash(OptionalLong minimumRingSize) implements ConsistentHashLb {
    @Override
    public Table build(List<String> hostKeys) {
      return HashRing.build(hostKeys, minimumRingSize.orElse(HashRing.DEFAULT_MINIMUM_RING_SIZE))
          ::hostFor;
    }
  }

  /** Envoy's MAGLEV; {@code tableSize} empty means no {@code maglev_lb_config}. */
  record Maglev(OptionalLong tableSize) implements ConsistentHashLb {
    @Override
    public Table build(List<String> hostKeys) {
      return MaglevTable.build(hostKeys, tableSize.orElse(MaglevTable.DEFAULT_TABLE_SIZE))::hostFor;
    }
  }
}
