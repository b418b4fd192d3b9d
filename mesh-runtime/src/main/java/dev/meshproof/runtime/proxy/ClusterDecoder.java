package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.HostSelection;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * Decodes CDS clusters (LB policy, discovery type, circuit breakers, outlier detection) into {@link
 * ClusterConfig}, NACKing whatever the sidecar cannot honour.
 */
final class ClusterDecoder {

  private ClusterDecoder() {}

  /** A cluster; EDS clusters come without endpoints, STATIC ones with their inline assignment. */
  static ClusterConfig cluster(Cluster cluster) {
    if (cluster.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      return originalDestination(cluster);
    }
    LbPolicy lb =
        switch (cluster.getLbPolicy()) {
          case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
          case RANDOM -> LbPolicy.RANDOM;
          default ->
              throw new IllegalArgumentException(
                  "cluster "
                      + cluster.getName()
                      + ": lb_policy "
                      + cluster.getLbPolicy()
                      + " is not supported by the embedded sidecar");
        };
    String where = "cluster " + cluster.getName();
    rejectUnhonouredClusterFields(cluster, where);
    CircuitBreakerThresholds thresholds = circuitBreakers(cluster, where);
    Optional<OutlierDetectionPolicy> outlier =
        cluster.hasOutlierDetection()
            ? Optional.of(
                ClusterPolicyDecoder.outlierDetection(cluster.getOutlierDetection(), where))
            : Optional.empty();
    double panic =
        cluster.getCommonLbConfig().hasHealthyPanicThreshold()
            ? cluster.getCommonLbConfig().getHealthyPanicThreshold().getValue()
            : HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT;
    return switch (cluster.getType()) {
      case EDS -> new ClusterConfig(cluster.getName(), lb, List.of(), thresholds, outlier, panic);
      case STATIC ->
          new ClusterConfig(
              cluster.getName(),
              lb,
              EndpointDecoder.endpoints(cluster.getLoadAssignment()),
              thresholds,
              outlier,
              panic);
      default ->
          throw new IllegalArgumentException(
              "cluster "
                  + cluster.getName()
                  + ": discovery type "
                  + cluster.getType()
                  + " is not supported by the embedded sidecar");
    };
  }

  /**
   * An {@code ORIGINAL_DST} cluster ({@code CLUSTER_PROVIDED} load balancing) whose destination is
   * read from a request header ({@code original_dst_lb_config.use_http_header}); without that
   * header there is no original destination here (no iptables), so it is NACKed.
   */
  private static ClusterConfig originalDestination(Cluster cluster) {
    String where = "cluster " + cluster.getName();
    if (cluster.getLbPolicy() != Cluster.LbPolicy.CLUSTER_PROVIDED) {
      throw new IllegalArgumentException(
          where
              + ": lb_policy "
              + cluster.getLbPolicy()
              + " on an ORIGINAL_DST cluster (expected: CLUSTER_PROVIDED)");
    }
    Cluster.OriginalDstLbConfig config = cluster.getOriginalDstLbConfig();
    if (!config.getUseHttpHeader()) {
      throw new IllegalArgumentException(
          where
              + ": ORIGINAL_DST without original_dst_lb_config.use_http_header is not supported"
              + " by the embedded sidecar (it has no original destination of the connection)");
    }
    XdsDecoder.rejectUnsupported(
        config.toBuilder().clearUseHttpHeader().clearHttpHeaderName(),
        where + ", original_dst_lb_config");
    rejectUnhonouredClusterFields(cluster, where);
    if (cluster.hasCleanupInterval() || cluster.hasLoadAssignment()) {
      throw new IllegalArgumentException(
          where + ": cleanup_interval and load_assignment are not supported on ORIGINAL_DST");
    }
    String header =
        config.getHttpHeaderName().isEmpty()
            ? "x-envoy-original-dst-host"
            : config.getHttpHeaderName();
    return new ClusterConfig(
        cluster.getName(),
        LbPolicy.ROUND_ROBIN,
        List.of(),
        circuitBreakers(cluster, where),
        Optional.empty(),
        HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT,
        Optional.of(header));
  }

  /**
   * NACKs cluster fields that change behaviour and that the sidecar does not implement; the connect
   * timeout is honoured only at Istio's 10 s (the transport's).
   */
  private static void rejectUnhonouredClusterFields(Cluster cluster, String where) {
    var common = cluster.getCommonLbConfig();
    if (!common.toBuilder()
        .clearHealthyPanicThreshold()
        .build()
        .equals(common.getDefaultInstanceForType())) {
      throw new IllegalArgumentException(
          where + ": common_lb_config fields other than healthy_panic_threshold are not supported");
    }
    if (cluster.getTypedExtensionProtocolOptionsCount() > 0) {
      throw new IllegalArgumentException(
          where
              + ": typed_extension_protocol_options "
              + cluster.getTypedExtensionProtocolOptionsMap().keySet()
              + " are not supported by the embedded sidecar");
    }
    if (cluster.hasConnectTimeout()
        && !cluster
            .getConnectTimeout()
            .equals(com.google.protobuf.Duration.newBuilder().setSeconds(10).build())) {
      throw new IllegalArgumentException(
          where
              + ": connect_timeout "
              + cluster.getConnectTimeout().getSeconds()
              + "s "
              + cluster.getConnectTimeout().getNanos()
              + "ns is not supported (the embedded sidecar connects with Istio's 10s)");
    }
  }

  private static CircuitBreakerThresholds circuitBreakers(Cluster cluster, String where) {
    if (!cluster.hasCircuitBreakers()) {
      return CircuitBreakerThresholds.ENVOY_DEFAULTS;
    }
    return ClusterPolicyDecoder.circuitBreakers(cluster.getCircuitBreakers(), where);
  }

  /** The EDS service name a cluster's endpoints are published under (its own name by default). */
  static Optional<String> edsServiceName(Cluster cluster) {
    if (cluster.getType() != Cluster.DiscoveryType.EDS) {
      return Optional.empty();
    }
    String name = cluster.getEdsClusterConfig().getServiceName();
    return Optional.of(name.isEmpty() ? cluster.getName() : name);
  }
}
