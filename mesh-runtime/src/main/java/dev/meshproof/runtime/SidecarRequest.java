package dev.meshproof.runtime;

import dev.meshproof.common.RandomSource;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a data plane needs to start one sidecar: its identity, whether it serves inbound traffic,
 * where the control plane listens, the mesh's shared event loops and seeded randomness, and the
 * Istio release the proxy reports. {@code gatewayPorts} is empty for a sidecar; for an ingress
 * gateway it lists the Gateway server ports the proxy binds a loopback listener for.
 */
public record SidecarRequest(
    String proxyId,
    String workload,
    String namespace,
    Map<String, String> labels,
    OptionalInt servicePort,
    InetSocketAddress controlPlane,
    EventLoopGroup eventLoops,
    RandomSource random,
    IstioVersion istioVersion,
    java.util.List<Integer> gatewayPorts) {

  public SidecarRequest {
    labels = Map.copyOf(labels);
    gatewayPorts = java.util.List.copyOf(gatewayPorts);
  }

  /** A sidecar's request: no gateway listeners. */
  public SidecarRequest(
      String proxyId,
      String workload,
      String namespace,
      Map<String, String> labels,
      OptionalInt servicePort,
      InetSocketAddress controlPlane,
      EventLoopGroup eventLoops,
      RandomSource random,
      IstioVersion istioVersion) {
    this(
        proxyId,
        workload,
        namespace,
        labels,
        servicePort,
        controlPlane,
        eventLoops,
        random,
        istioVersion,
        java.util.List.of());
  }

  /** True for an ingress gateway (a router proxy): it serves Gateway listeners, not a sidecar's. */
  public boolean gateway() {
    return !gatewayPorts.isEmpty();
  }
}
