package dev.meshproof.runtime.xds;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A sidecar as the control plane knows it: its identity (the xDS node it sends) and the addresses
 * the translation must put in its listeners. {@code outbound} is where its {@code virtualOutbound}
 * listener binds (destinations on ports no HTTP service has); each HTTP service port has its own
 * listener at {@link #httpOutbound}. {@code inbounds} is empty for a client-only workload, else one
 * per port of the served Service in declaration order; {@code scope} is what its Sidecar resource
 * lets it reach (istiod's {@code proxy.SidecarScope}). {@code gatewayListeners} is empty for a
 * sidecar; for an ingress gateway (istiod's {@code router} proxy) it maps each Gateway server port
 * the pod exposes to the loopback address its listener binds, and the translation gives the proxy
 * gateway listeners instead of a sidecar's.
 */
public record ProxyNode(
    ProxyIdentity identity,
    InetSocketAddress outbound,
    java.util.List<Inbound> inbounds,
    SidecarScope scope,
    Map<Integer, InetSocketAddress> gatewayListeners,
    /**
     * Where this proxy listens for each TCP service port it reaches, keyed {@code <host>:<port>}:
     * the stand-in for istiod's per-port outbound listener that iptables would send the connection
     * to. Assigned by the control plane ({@link ControlPlane}).
     */
    Map<String, InetSocketAddress> tcpOutbound,
    /**
     * An ingress gateway's Kubernetes Service, port to target port ({@link
     * dev.meshproof.runtime.WorkloadSpec#gatewayServicePorts}): istiod's {@code resolvePorts} binds
     * a Gateway server's listener on the target port of the Service port of that number.
     */
    Map<Integer, Integer> gatewayServicePorts,
    /**
     * Where this sidecar listens for each HTTP service port it may reach, keyed by port: the
     * address of its outbound listener {@code 0.0.0.0_<port>} ({@link
     * XdsNames#outboundHttpListener}), the stand-in for the listener istiod binds on that port,
     * which iptables sends a connection for the port to. Assigned by the control plane ({@link
     * ControlPlane}); empty for a gateway.
     */
    Map<Integer, InetSocketAddress> httpOutbound) {

  /**
   * The address of a port {@link #httpOutbound} does not name (a proxy built by hand, as the
   * translation tests do, not registered with a control plane): any free loopback port.
   */
  static final InetSocketAddress UNASSIGNED =
      new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);

  public ProxyNode {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(outbound, "outbound");
    inbounds = java.util.List.copyOf(inbounds);
    Objects.requireNonNull(scope, "scope");
    gatewayListeners =
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(gatewayListeners));
    tcpOutbound = Map.copyOf(tcpOutbound);
    gatewayServicePorts = Map.copyOf(gatewayServicePorts);
    httpOutbound =
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(httpOutbound));
  }

  /** A proxy whose HTTP outbound listener addresses the control plane has not assigned yet. */
  public ProxyNode(
      ProxyIdentity identity,
      InetSocketAddress outbound,
      java.util.List<Inbound> inbounds,
      SidecarScope scope,
      Map<Integer, InetSocketAddress> gatewayListeners,
      Map<String, InetSocketAddress> tcpOutbound,
      Map<Integer, Integer> gatewayServicePorts) {
    this(
        identity,
        outbound,
        inbounds,
        scope,
        gatewayListeners,
        tcpOutbound,
        gatewayServicePorts,
        Map.of());
  }

  /** A proxy serving at most one Service port. */
  public ProxyNode(
      ProxyIdentity identity,
      InetSocketAddress outbound,
      Optional<Inbound> inbound,
      SidecarScope scope,
      Map<Integer, InetSocketAddress> gatewayListeners,
      Map<String, InetSocketAddress> tcpOutbound,
      Map<Integer, Integer> gatewayServicePorts) {
    this(
        identity,
        outbound,
        inbound.stream().toList(),
        scope,
        gatewayListeners,
        tcpOutbound,
        gatewayServicePorts);
  }

  /**
   * The inbound side of the Service's first port; empty for a client-only workload ({@link
   * #inbounds} has every port).
   */
  public Optional<Inbound> inbound() {
    return inbounds.isEmpty() ? Optional.empty() : Optional.of(inbounds.get(0));
  }

  /** A proxy whose gateway (if any) has no Service: its servers bind their own port numbers. */
  public ProxyNode(
      ProxyIdentity identity,
      InetSocketAddress outbound,
      Optional<Inbound> inbound,
      SidecarScope scope,
      Map<Integer, InetSocketAddress> gatewayListeners,
      Map<String, InetSocketAddress> tcpOutbound) {
    this(identity, outbound, inbound, scope, gatewayListeners, tcpOutbound, Map.of());
  }

  /**
   * The port a Gateway server on {@code serverPort} listens on, as istiod's {@code resolvePorts}
   * (pilot/pkg/model/gateway.go) resolves it for a gateway selected by labels: the {@code
   * targetPort} of the gateway Service's port with that number, else the number as it is.
   */
  public int resolveGatewayPort(int serverPort) {
    return gatewayServicePorts.getOrDefault(serverPort, serverPort);
  }

  /** A proxy with these gateway listeners that reaches no TCP service yet. */
  public ProxyNode(
      ProxyIdentity identity,
      InetSocketAddress outbound,
      Optional<Inbound> inbound,
      SidecarScope scope,
      Map<Integer, InetSocketAddress> gatewayListeners) {
    this(identity, outbound, inbound, scope, gatewayListeners, Map.of());
  }

  /** A sidecar scoped by {@code scope}. */
  public ProxyNode(
      ProxyIdentity identity,
      InetSocketAddress outbound,
      Optional<Inbound> inbound,
      SidecarScope scope) {
    this(identity, outbound, inbound, scope, Map.of());
  }

  /** True for an ingress gateway: it serves the Gateways that select its labels. */
  public boolean isGateway() {
    return !gatewayListeners.isEmpty();
  }

  /** This proxy with its TCP outbound listener addresses. */
  public ProxyNode withTcpOutbound(Map<String, InetSocketAddress> addresses) {
    return new ProxyNode(
        identity,
        outbound,
        inbounds,
        scope,
        gatewayListeners,
        addresses,
        gatewayServicePorts,
        httpOutbound);
  }

  /** This proxy with its HTTP outbound listener addresses, by service port. */
  public ProxyNode withHttpOutbound(Map<Integer, InetSocketAddress> addresses) {
    return new ProxyNode(
        identity,
        outbound,
        inbounds,
        scope,
        gatewayListeners,
        tcpOutbound,
        gatewayServicePorts,
        addresses);
  }

  /**
   * Where the outbound HTTP listener of service port {@code port} binds: the address the control
   * plane assigned, else ({@link #UNASSIGNED}) any free loopback port.
   */
  public InetSocketAddress httpOutboundAddress(int port) {
    return httpOutbound.getOrDefault(port, UNASSIGNED);
  }

  /** The key of a TCP service port in {@link #tcpOutbound}. */
  public static String tcpKey(String host, int port) {
    return host + ":" + port;
  }

  /** A proxy no Sidecar resource scopes: every service is visible. */
  public ProxyNode(ProxyIdentity identity, InetSocketAddress outbound, Optional<Inbound> inbound) {
    this(identity, outbound, inbound, SidecarScope.everything(identity.namespace()));
  }

  /** This proxy with the services {@code newScope} makes visible. */
  public ProxyNode withScope(SidecarScope newScope) {
    return new ProxyNode(
        identity,
        outbound,
        inbounds,
        newScope,
        gatewayListeners,
        tcpOutbound,
        gatewayServicePorts,
        httpOutbound);
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

  /**
   * The inbound side of one Service port: the port, where the sidecar listens for it, where the app
   * listens for it (its {@code targetPort}), and the listener's name ({@link
   * XdsNames#inboundListener}).
   */
  public record Inbound(
      int servicePort, InetSocketAddress listener, InetSocketAddress app, String listenerName) {

    public Inbound {
      Objects.requireNonNull(listenerName, "listenerName");
    }

    /** The inbound side of a Service's only (or first) port: {@code virtualInbound}. */
    public Inbound(int servicePort, InetSocketAddress listener, InetSocketAddress app) {
      this(servicePort, listener, app, XdsNames.INBOUND_LISTENER);
    }
  }
}
