package dev.meshproof.runtime;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A workload's sidecar, whichever data plane runs it (the embedded Netty sidecar, a real Envoy
 * process): where the app sends outbound traffic, where the mesh delivers inbound traffic, and its
 * xDS node id. Closing it stops the proxy and everything it started.
 */
public interface SidecarProxy extends AutoCloseable {

  /**
   * The xDS node id, shaped like Istio's ({@code sidecar~127.0.0.1~pod.ns~ns.svc.cluster.local}).
   */
  String proxyId();

  /** Where the app sends requests for other services (the stand-in for iptables capture). */
  InetSocketAddress outboundAddress();

  /** Where other sidecars send requests for this workload; empty for a client-only workload. */
  Optional<InetSocketAddress> inboundAddress();

  /** The proxy's configuration as Envoy's {@code /config_dump} JSON, as evidence. */
  String configDump();

  @Override
  void close();
}
