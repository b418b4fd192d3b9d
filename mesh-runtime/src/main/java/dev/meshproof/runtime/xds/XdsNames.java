package dev.meshproof.runtime.xds;

/** Resource names as Istio's translation spells them, so config dumps read like Istio's. */
public final class XdsNames {
  /**
   * The outbound listener for destinations on a port that no HTTP service the proxy sees has (the
   * stand-in for istiod's {@code virtualOutbound} passthrough): its one inline route configuration
   * holds only the catch-all virtual host ({@code allow_any} or {@code block_all}). Traffic to an
   * HTTP service port goes to that port's listener ({@link #outboundHttpListener}).
   */
  public static final String OUTBOUND_LISTENER = "virtualOutbound";

  public static final String INBOUND_LISTENER = "virtualInbound";

  /**
   * The {@code ORIGINAL_DST} cluster that passes traffic for hosts outside the registry through
   * ({@code outboundTrafficPolicy: ALLOW_ANY}), as istiod names it.
   */
  public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";

  /** The {@code STATIC} cluster without endpoints, as istiod names it: traffic to it fails. */
  public static final String BLACKHOLE_CLUSTER = "BlackHoleCluster";

  public static final String TYPE_CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String TYPE_ENDPOINT =
      "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  public static final String TYPE_LISTENER =
      "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String TYPE_ROUTE =
      "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  public static final String TYPE_SECRET =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

  private XdsNames() {}

  /**
   * The inbound listener of the {@code index}-th port of the served Service (declaration order):
   * the first is {@link #INBOUND_LISTENER}, as with one port; each further port {@code
   * virtualInbound_<port>}. istiod serves every port from one {@code virtualInbound} with a filter
   * chain per destination port, which iptables reaches with the original port; on loopback without
   * iptables each port needs an address of its own, hence a listener of its own.
   */
  public static String inboundListener(int index, int servicePort) {
    return index == 0 ? INBOUND_LISTENER : INBOUND_LISTENER + "_" + servicePort;
  }

  /** True for a listener {@link #inboundListener} names. */
  public static boolean isInboundListener(String name) {
    return name.equals(INBOUND_LISTENER) || name.startsWith(INBOUND_LISTENER + "_");
  }

  /**
   * The xDS types a sidecar snapshot holds, in Envoy's subscription order; secrets (SDS) only in a
   * mesh with a CA.
   */
  public static final java.util.List<String> TYPES =
      java.util.List.of(TYPE_CLUSTER, TYPE_ENDPOINT, TYPE_LISTENER, TYPE_ROUTE, TYPE_SECRET);

  /**
   * {@code outbound|80|v1|catalog.default.svc.cluster.local}; an empty subset is the whole service.
   */
  public static String outboundCluster(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  /**
   * A gateway listener, as istiod's {@code getListenerName} names it for a server port: {@code
   * 0.0.0.0_80}.
   */
  public static String gatewayListener(int port) {
    return "0.0.0.0_" + port;
  }

  /**
   * The route configuration of a gateway's plain HTTP servers on {@code port}, as istiod's {@code
   * gatewayRDSRouteName} names it: {@code http.80}.
   */
  public static String gatewayRoute(int port) {
    return "http." + port;
  }

  /**
   * A sidecar's outbound HTTP listener for service port {@code port}, as istiod's {@code
   * buildSidecarOutboundListeners} names it: {@code 0.0.0.0_9080}. It serves every HTTP service the
   * proxy sees on that port, its routes over RDS as {@link #outboundHttpRoute}.
   */
  public static String outboundHttpListener(int port) {
    return "0.0.0.0_" + port;
  }

  /**
   * The route configuration of a sidecar's outbound HTTP listener on {@code port}, as istiod names
   * it: the port number alone ({@code 9080}).
   */
  public static String outboundHttpRoute(int port) {
    return Integer.toString(port);
  }

  /** {@code inbound|8080||}, the cluster that reaches the local app. */
  public static String inboundCluster(int port) {
    return "inbound|" + port + "||";
  }

  /** Short type name for messages: {@code CDS}, {@code EDS}, {@code LDS}, {@code RDS}. */
  public static String shortType(String typeUrl) {
    return switch (typeUrl) {
      case TYPE_CLUSTER -> "CDS";
      case TYPE_ENDPOINT -> "EDS";
      case TYPE_LISTENER -> "LDS";
      case TYPE_ROUTE -> "RDS";
      case TYPE_SECRET -> "SDS";
      default -> typeUrl;
    };
  }
}
