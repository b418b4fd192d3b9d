package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.List;

/**
 * CDS for one proxy: an EDS cluster per service port and per DestinationRule subset ({@code
 * outbound|80|v1|catalog.default.svc.cluster.local}), then, for a serving workload, the static
 * {@code inbound|<port>||} cluster that reaches its app. Defaults come from the Istio profile.
 */
final class ClusterBuilder {
  private final TranslationInput input;

  ClusterBuilder(TranslationInput input) {
    this.input = input;
  }

  List<Cluster> build() {
    List<Cluster> clusters = new ArrayList<>();
    for (OutboundCluster cluster : input.outboundClusters()) {
      clusters.add(edsCluster(cluster));
    }
    input.proxy().inbound().ifPresent(inbound -> clusters.add(inboundCluster(inbound)));
    return clusters;
  }

  private Cluster edsCluster(OutboundCluster cluster) {
    String name = cluster.name();
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder().setEdsConfig(XdsProtos.ADS).setServiceName(name))
        .setConnectTimeout(XdsProtos.duration(input.profile().connectTimeout()))
        .setLbPolicy(envoyLb(cluster.lb()))
        .build();
  }

  private Cluster inboundCluster(ProxyNode.Inbound inbound) {
    String name = XdsNames.inboundCluster(inbound.servicePort());
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(XdsProtos.duration(input.profile().connectTimeout()))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(XdsProtos.lbEndpoint(inbound.app()))))
        .build();
  }

  private static Cluster.LbPolicy envoyLb(LbPolicy lb) {
    return switch (lb) {
      case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
      case RANDOM -> Cluster.LbPolicy.RANDOM;
    };
  }
}
