package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.ConnectionPoolSettings;
import dev.meshproof.runtime.config.OutlierDetectionSettings;
import dev.meshproof.runtime.policy.lb.ConsistentHash;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.lb.SlowStart;
import java.util.Map;
import java.util.Optional;

/**
 * One outbound EDS cluster to generate: a service port, optionally narrowed to a DestinationRule
 * subset, with the load balancer in force for it. The cluster and endpoint builders both walk the
 * same list, so every cluster has its load assignment.
 *
 * @param subset the subset name; empty for the whole service
 * @param selector the subset's labels; empty for the whole service
 */
record OutboundCluster(
    ServiceKey service,
    String subset,
    LbPolicy lb,
    Map<String, String> selector,
    Optional<ConnectionPoolSettings> connectionPool,
    Optional<OutlierDetectionSettings> outlierDetection,
    Optional<ConsistentHash> consistentHash,
    /** The merged {@code loadBalancer.warmup} of the cluster's DestinationRule; empty: none. */
    Optional<SlowStart> warmup) {
  OutboundCluster {
    selector = Map.copyOf(selector);
    java.util.Objects.requireNonNull(warmup, "warmup");
  }

  /** A cluster without warmup. */
  OutboundCluster(
      ServiceKey service,
      String subset,
      LbPolicy lb,
      Map<String, String> selector,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection,
      Optional<ConsistentHash> consistentHash) {
    this(
        service,
        subset,
        lb,
        selector,
        connectionPool,
        outlierDetection,
        consistentHash,
        Optional.empty());
  }

  /** A cluster without a consistent hash. */
  OutboundCluster(
      ServiceKey service,
      String subset,
      LbPolicy lb,
      Map<String, String> selector,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection) {
    this(service, subset, lb, selector, connectionPool, outlierDetection, Optional.empty());
  }

  /** {@code outbound|80|v1|catalog.default.svc.cluster.local}. */
  String name() {
    return XdsNames.outboundCluster(service.port(), subset, service.host());
  }
}
