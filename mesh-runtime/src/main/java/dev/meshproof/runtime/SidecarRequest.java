package dev.meshproof.runtime;

import dev.meshproof.common.RandomSource;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What a data plane needs to start one sidecar: its identity, whether it serves inbound traffic,
 * where the control plane listens, the mesh's shared event loops and seeded randomness, and the
 * Istio release the proxy reports.
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
    IstioVersion istioVersion) {

  public SidecarRequest {
    labels = Map.copyOf(labels);
  }
}
