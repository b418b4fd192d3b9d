package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.lb.EndpointLocality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.net.InetSocketAddress;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes EDS cluster load assignments into the endpoint addresses the load balancer picks from,
 * each with its locality group: priority ({@code LocalityLbEndpoints.priority}) and weight.
 */
final class EndpointDecoder {

  private EndpointDecoder() {}

  static Prioritized endpoints(ClusterLoadAssignment assignment) {
    List<InetSocketAddress> out = new ArrayList<>();
    List<EndpointLocality> localities = new ArrayList<>();
    int group = 0;
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        out.add(
            XdsDecoder.socketAddress(
                endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName()));
        localities.add(
            new EndpointLocality(
                locality.getPriority(), group, locality.getLoadBalancingWeight().getValue()));
      }
      group++;
    }
    return new Prioritized(out, localities);
  }

  /**
   * Endpoint addresses in assignment order, and the locality group of each (parallel to the
   * addresses); equal to another list only with the same groups too.
   */
  static final class Prioritized extends AbstractList<InetSocketAddress> {
    private final List<InetSocketAddress> endpoints;
    private final List<EndpointLocality> localities;

    Prioritized(List<InetSocketAddress> endpoints, List<EndpointLocality> localities) {
      this.endpoints = List.copyOf(endpoints);
      this.localities = List.copyOf(localities);
    }

    /** The locality group (priority, index, weight) of each endpoint, in order. */
    List<EndpointLocality> localities() {
      return localities;
    }

    @Override
    public InetSocketAddress get(int index) {
      return endpoints.get(index);
    }

    @Override
    public int size() {
      return endpoints.size();
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o)
          && (!(o instanceof Prioritized p) || Objects.equals(localities, p.localities));
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
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
      // Derived once per assignment in the JVM, not once per sidecar and EDS response.
      out.putAll(SharedXdsResources.JVM.view(any, WORKLOADS, EndpointDecoder::workloadsOf));
    }
    return java.util.Map.copyOf(out);
  }

  /** The {@link SharedXdsResources} view {@link #workloadsOf} fills. */
  private static final Object WORKLOADS = new Object();

  /** The workloads of one assignment's endpoints by {@code host:port}. */
  private static java.util.Map<String, dev.meshproof.runtime.policy.telemetry.IstioWorkload>
      workloadsOf(com.google.protobuf.Any any) {
    java.util.Map<String, dev.meshproof.runtime.policy.telemetry.IstioWorkload> out =
        new java.util.HashMap<>();
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
    return java.util.Map.copyOf(out);
  }
}
