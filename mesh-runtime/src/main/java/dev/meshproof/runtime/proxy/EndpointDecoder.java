package dev.meshproof.runtime.proxy;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes EDS cluster load assignments into the endpoint addresses the load balancer picks from.
 */
final class EndpointDecoder {

  private EndpointDecoder() {}

  static List<InetSocketAddress> endpoints(ClusterLoadAssignment assignment) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        out.add(
            XdsDecoder.socketAddress(
                endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName()));
      }
    }
    return out;
  }

  /**
   * The workload behind each endpoint ({@code ip:port}) of {@code assignments}, from istiod's
   * {@code filter_metadata.istio.workload}; endpoints without it are left out.
   */
  static java.util.Map<String, dev.meshproof.runtime.policy.telemetry.IstioWorkload> workloads(
      List<com.google.protobuf.Any> assignments) {
    java.util.Map<String, dev.meshproof.runtime.policy.telemetry.IstioWorkload> out =
        new java.util.HashMap<>();
    for (com.google.protobuf.Any any : assignments) {
      ClusterLoadAssignment assignment = XdsDecoder.unpack(any, ClusterLoadAssignment.class, "EDS");
      for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
        for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
          var istio = endpoint.getMetadata().getFilterMetadataOrDefault("istio", null);
          if (istio == null || !istio.containsFields("workload")) {
            continue;
          }
          InetSocketAddress address =
              XdsDecoder.socketAddress(
                  endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName());
          dev.meshproof.runtime.policy.telemetry.IstioWorkload.fromEndpointMetadata(
                  istio.getFieldsOrThrow("workload").getStringValue())
              .ifPresent(w -> out.put(address.getHostString() + ":" + address.getPort(), w));
        }
      }
    }
    return java.util.Map.copyOf(out);
  }
}
