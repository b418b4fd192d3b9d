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
}
