package dev.meshproof.runtime.xds;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A sidecar as the control plane knows it: its identity (the xDS node it sends) and the addresses
 * the translation must put in its listeners. {@code inbound} is empty for a client-only workload.
 */
public record ProxyNode(
    ProxyIdentity identity, InetSocketAddress outbound, Optional<Inbound> inbound) {

  public ProxyNode {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(inbound, "inbound");
  }

  /** The xDS node id, by which the snapshot cache keys this proxy. */
  public String id() {
    return identity.id();
  }

  public String workload() {
    return identity.workload();
  }

  public String namespace() {
    return identity.namespace();
  }

  public Map<String, String> labels() {
    return identity.labels();
  }

  /** The inbound side: the service port, where the sidecar listens, where the app listens. */
  public record Inbound(int servicePort, InetSocketAddress listener, InetSocketAddress app) {}
}
