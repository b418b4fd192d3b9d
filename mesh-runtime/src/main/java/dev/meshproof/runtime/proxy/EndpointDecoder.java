package dev.meshproof.runtime.proxy;

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
 * each with the priority of its locality group ({@code LocalityLbEndpoints.priority}).
 */
final class EndpointDecoder {

  private EndpointDecoder() {}

  static Prioritized endpoints(ClusterLoadAssignment assignment) {
    List<InetSocketAddress> out = new ArrayList<>();
    List<Integer> priorities = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        out.add(
            XdsDecoder.socketAddress(
                endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName()));
        priorities.add(locality.getPriority());
      }
    }
    return new Prioritized(out, priorities);
  }

  /**
   * Endpoint addresses in assignment order, and the priority of each (parallel to the addresses);
   * equal to another list only with the same priorities too.
   */
  static final class Prioritized extends AbstractList<InetSocketAddress> {
    private final List<InetSocketAddress> endpoints;
    private final List<Integer> priorities;

    Prioritized(List<InetSocketAddress> endpoints, List<Integer> priorities) {
      this.endpoints = List.copyOf(endpoints);
      this.priorities = List.copyOf(priorities);
    }

    /** The priority of each endpoint, in order; all 0 without locality failover. */
    List<Integer> priorities() {
      return priorities;
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
          && (!(o instanceof Prioritized p) || Objects.equals(priorities, p.priorities));
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }
}
