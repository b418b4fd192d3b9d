package dev.meshproof.runtime;

import dev.meshproof.common.RandomSource;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a data plane needs to start one sidecar: its identity, whether it serves inbound traffic,
 * where the control plane listens, the mesh's shared event loops and seeded randomness, and the
 * Istio release the proxy reports. {@code servicePorts} are the ports of the served Service in
 * declaration order (empty for a client-only workload), one inbound listener each. {@code
 * gatewayPorts} is empty for a sidecar; for an ingress gateway it lists the Gateway server ports
 * the proxy binds a loopback listener for.
 */
public record SidecarRequest(
    String proxyId,
    String workload,
    String namespace,
    Map<String, String> labels,
    java.util.List<Integer> servicePorts,
    InetSocketAddress controlPlane,
    EventLoopGroup eventLoops,
    RandomSource random,
    IstioVersion istioVersion,
    java.util.List<Integer> gatewayPorts) {

  public SidecarRequest {
    labels = Map.copyOf(labels);
    servicePorts = java.util.List.copyOf(servicePorts);
    if (new java.util.HashSet<>(servicePorts).size() != servicePorts.size()) {
      throw new IllegalArgumentException(
          "servicePorts: " + servicePorts + " (expected: each port once)");
    }
    gatewayPorts = java.util.List.copyOf(gatewayPorts);
  }

  /** The first port of the served Service; empty for a client-only workload. */
  public OptionalInt servicePort() {
    return servicePorts.isEmpty() ? OptionalInt.empty() : OptionalInt.of(servicePorts.get(0));
  }

  /** True for an ingress gateway (a router proxy): it serves Gateway listeners, not a sidecar's. */
  public boolean gateway() {
    return !gatewayPorts.isEmpty();
  }
}
