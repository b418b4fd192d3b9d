package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * EDS for one proxy: the load assignment of every outbound EDS cluster, the service's ready
 * instances that match the subset's labels in one locality, ordered by workload so the assignment
 * (and the snapshot version) does not depend on registration order.
 */
final class EndpointBuilder {
  private final TranslationInput input;

  EndpointBuilder(TranslationInput input) {
    this.input = input;
  }

  List<ClusterLoadAssignment> build() {
    Map<ServiceKey, List<ServiceInstance>> services = input.services();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (OutboundCluster cluster : input.outboundClusters()) {
      if (ClusterBuilder.isDns(services.get(cluster.service()))) {
        continue; // STRICT_DNS: the endpoints are inline in the cluster
      }
      LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
      services.get(cluster.service()).stream()
          .filter(i -> i.ready() && i.matches(cluster.selector()))
          .sorted(Comparator.comparing(ServiceInstance::workload))
          .forEach(
              i ->
                  locality.addLbEndpoints(
                      XdsProtos.lbEndpoint(
                          i.endpoint(),
                          IstioWorkload.of(i.workload(), i.namespace(), i.labels())
                              .endpointMetadata())));
      endpoints.add(
          ClusterLoadAssignment.newBuilder()
              .setClusterName(cluster.name())
              .addEndpoints(locality)
              .build());
    }
    return endpoints;
  }
}
