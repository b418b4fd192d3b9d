package dev.meshproof.runtime.xds;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A sidecar as the control plane knows it: its identity (the xDS node it sends) and the addresses
 * the translation must put in its listeners. {@code inbound} is empty for a client-only workload;
 * {@code scope} is what its Sidecar resource lets it reach (istiod's {@code proxy.SidecarScope}).
 */
public record ProxyNode(
    ProxyIdentity identity,
    InetSocketAddress outbound,
    Optional<Inbound> inbound,
    SidecarScope scope) {

  public ProxyNode {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(outbound, "outbound");
    Objects.requireNonNull(inbound, "inbound");
    Objects.requireNonNull(scope, "scope");
  }

  /** A proxy no Sidecar resource scopes: every service is visible. */
  public ProxyNode(ProxyIdentity identity, InetSocketAddress outbound, Optional<Inbound> inbound) {
    this(identity, outbound, inbound, SidecarScope.everything(identity.namespace()));
  }

  /** This proxy with the services {@code newScope} makes visible. */
  public ProxyNode withScope(SidecarScope newScope) {
    return new ProxyNode(identity, outbound, inbound, newScope);
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
