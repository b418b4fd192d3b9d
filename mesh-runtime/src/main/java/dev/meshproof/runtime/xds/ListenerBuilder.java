package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import dev.meshproof.runtime.telemetry.AccessLogFormat;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.RequestIDExtension;
import io.envoyproxy.envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * LDS for one proxy: an outbound HTTP listener {@code 0.0.0.0_<port>} per HTTP service port it
 * sees, its routes fetched over RDS as {@code <port>}, {@code virtualOutbound} at the sidecar's
 * outbound address for every other port, and for a serving workload {@code virtualInbound} with its
 * one route inline. Each listener has one HTTP connection manager with the fault filter, the CORS
 * filter and the router ({@link #HTTP_FILTERS}), and Istio's JSON access log to stdout.
 */
final class ListenerBuilder {
  /**
   * Where every sidecar writes its access log: stdout, as Istio's demo profile sets {@code
   * accessLogFile}; the Envoy target captures stdout per process.
   */
  static final String ACCESS_LOG_PATH = "/dev/stdout";

  /**
   * Istio's JSON access log on every connection manager. A deliberate difference: Istio's default
   * mesh config has no access log (istiod-defaults.md section 7); Meshproof turns it on so each
   * request's route, cluster, host and flags are evidence on both data planes.
   */
  static final AccessLog ACCESS_LOG = accessLog();

  /** The one upgrade istiod allows on sidecar connection managers. */
  static final String WEBSOCKET = "websocket";

  private static AccessLog accessLog() {
    Struct.Builder json = Struct.newBuilder();
    AccessLogFormat.ISTIO_JSON.forEach(
        (key, operator) ->
            json.putFields(key, Value.newBuilder().setStringValue(operator).build()));
    return AccessLog.newBuilder()
        .setName("envoy.access_loggers.file")
        .setTypedConfig(
            Any.pack(
                FileAccessLog.newBuilder()
                    .setPath(ACCESS_LOG_PATH)
                    .setLogFormat(SubstitutionFormatString.newBuilder().setJsonFormat(json))
                    .build()))
        .build();
  }

  private final TranslationInput input;
  private final RouteConfigBuilder routes;

  ListenerBuilder(TranslationInput input, RouteConfigBuilder routes) {
    this.input = input;
    this.routes = routes;
  }

  List<Listener> build() {
    List<Listener> listeners = new ArrayList<>();
    if (input.proxy().isGateway()) {
      TcpListenerBuilder tcp = new TcpListenerBuilder(input);
      for (GatewayServers.Merged merged : GatewayServers.of(input).values()) {
        int port = merged.listenerPort();
        InetSocketAddress address = input.proxy().gatewayListeners().get(port);
        if (merged.kind() == GatewayServers.Kind.HTTP) {
          listeners.add(gatewayListener(port, address));
          continue;
        }
        if (merged.kind() == GatewayServers.Kind.TLS) {
          gatewayTlsListener(port, address, merged, tcp).ifPresent(listeners::add);
          continue;
        }
        tcp.gatewayTcpProxy(merged.servers().get(0))
            .ifPresent(
                proxy ->
                    listeners.add(
                        Listener.newBuilder()
                            .setName(XdsNames.gatewayListener(port))
                            .setAddress(XdsProtos.address(address))
                            .setTrafficDirection(TrafficDirection.OUTBOUND)
                            .addFilterChains(TcpListenerBuilder.filterChain(proxy))
                            .build()));
      }
      return listeners;
    }
    for (int port : RouteConfigBuilder.httpPorts(input)) {
      listeners.add(outboundHttpListener(port, input.proxy().httpOutboundAddress(port)));
    }
    listeners.add(virtualOutboundListener(input.proxy().outbound()));
    TcpListenerBuilder tcp = new TcpListenerBuilder(input);
    listeners.addAll(tcp.outboundListeners());
    // One inbound listener per Service port, each by its own port's protocol (a Service may mix
    // TCP and HTTP ports, as istiod builds a filter chain per port of the instance).
    for (ProxyNode.Inbound inbound : input.proxy().inbounds()) {
      listeners.add(
          input.servesTcp(inbound.servicePort())
              ? tcp.inboundListener(inbound)
              : inboundListener(inbound));
    }
    return listeners;
  }

  /**
   * The sidecar's outbound HTTP listener of service port {@code port}, as istiod's {@code
   * buildSidecarOutboundListeners} builds it for an HTTP port: {@code 0.0.0.0_<port>}, traffic
   * direction OUTBOUND, stat prefix {@code outbound_0.0.0.0_<port>}, its routes over RDS as the
   * route configuration {@code <port>}. Deliberate difference: istiod's listener does not bind
   * ({@code bind_to_port: false}, iptables delivers to it through {@code virtualOutbound}); here it
   * binds the loopback address the control plane assigned ({@link ProxyNode#httpOutbound}), where
   * the app connects for that port.
   */
  private static Listener outboundHttpListener(int port, InetSocketAddress address) {
    String name = XdsNames.outboundHttpListener(port);
    HttpConnectionManager hcm =
        httpConnectionManager("outbound_" + name)
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.ADS)
                    .setRouteConfigName(XdsNames.outboundHttpRoute(port)))
            .addHttpFilters(0, METADATA_EXCHANGE_OUTBOUND)
            .build();
    return listener(name, address, TrafficDirection.OUTBOUND, hcm);
  }

  /**
   * {@code virtualOutbound}: where the app's requests for a port that no HTTP service the proxy
   * sees has arrive. Deliberate difference: istiod's {@code virtualOutbound} passes such a
   * connection through as TCP to its original destination (or blackholes it under {@code
   * REGISTRY_ONLY}); on loopback there is no original destination, so here it is an HTTP listener
   * whose inline route configuration holds only istiod's catch-all virtual host ({@link
   * RouteConfigBuilder#virtualOutboundRouteConfig}), which passes through by {@code :authority} or
   * answers 502.
   */
  private Listener virtualOutboundListener(InetSocketAddress address) {
    HttpConnectionManager hcm =
        httpConnectionManager("outbound")
            .setRouteConfig(routes.virtualOutboundRouteConfig())
            .addHttpFilters(0, METADATA_EXCHANGE_OUTBOUND)
            .build();
    return listener(XdsNames.OUTBOUND_LISTENER, address, TrafficDirection.OUTBOUND, hcm);
  }

  /**
   * An ingress gateway's listener for the plain HTTP servers on listener port {@code port} (the
   * resolved target port, {@link GatewayServers}), as istiod's {@code buildGatewayListeners} names
   * it ({@code 0.0.0.0_<port>}, traffic direction OUTBOUND, stat prefix {@code
   * outbound_0.0.0.0_<port>}), its routes over RDS as {@code http.<port>}; bound at the loopback
   * address the gateway pod reserved for that port. The connection manager is istiod's gateway
   * class ({@link #gatewayConnectionManager}). Its HTTP filters start with the jwt_authn and RBAC
   * filters of the RequestAuthentications and AuthorizationPolicies that select the gateway
   * workload (its namespace's and the root namespace's, by selector on the gateway's labels), as
   * istiod's {@code buildGatewayHTTPFilterChain} (gateway.go) adds them through the same {@code
   * buildHTTPConnectionManager} as for a sidecar's inbound listener; {@code ports} name the
   * gateway's listener (target) port.
   */
  private Listener gatewayListener(int port, InetSocketAddress address) {
    String name = XdsNames.gatewayListener(port);
    HttpConnectionManager.Builder hcm =
        gatewayConnectionManager("outbound_" + name)
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.ADS)
                    .setRouteConfigName(XdsNames.gatewayRoute(port)));
    // The external client reaches the gateway's own listener address on the listener port.
    withSecurityFilters(hcm, new ProxyNode.Inbound(port, address, address));
    // istiod's appendMxFilter: a gateway's class is not sidecar inbound, so the outbound filter.
    hcm.addHttpFilters(0, METADATA_EXCHANGE_OUTBOUND);
    return listener(name, address, TrafficDirection.OUTBOUND, hcm.build());
  }

  /**
   * istiod's {@code defaultGatewayTransportSocketConnectTimeout}: how long a gateway filter chain's
   * TLS handshake may take (against slow-handshake attacks).
   */
  static final com.google.protobuf.Duration GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT =
      com.google.protobuf.Duration.newBuilder().setSeconds(15).build();

  /**
   * An ingress gateway's listener for the TLS servers on listener port {@code port}, as istiod's
   * {@code buildGatewayTCPBasedFilterChains} and {@code buildGatewayListener} (gateway.go) build
   * it: per HTTPS server the gateway terminates (SIMPLE, MUTUAL), one filter chain matching its
   * hosts as {@code server_names} (none when a host is {@code *}: {@code toFilterChainMatch}), its
   * {@link GatewayTls#downstreamTransportSocket} and a gateway connection manager with the server's
   * route configuration {@code https.<port>.<name>.<gateway>.<namespace>} over RDS and the server's
   * name as stat prefix; per PASSTHROUGH server, the filter chains of the bound VirtualServices'
   * {@code tls} routes ({@link TcpListenerBuilder#gatewayTlsRoutes}), matching their {@code
   * sniHosts}, with a {@code tcp_proxy} and no TLS of the gateway's. The TLS inspector reads the
   * SNI and ALPN. Every chain has istiod's 15s {@code transport_socket_connect_timeout}. Empty when
   * no chain results (a PASSTHROUGH server without a matching route: istiod omits such a listener).
   */
  private Optional<Listener> gatewayTlsListener(
      int port, InetSocketAddress address, GatewayServers.Merged merged, TcpListenerBuilder tcp) {
    String name = XdsNames.gatewayListener(port);
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(name)
            .setAddress(XdsProtos.address(address))
            .setTrafficDirection(TrafficDirection.OUTBOUND);
    GatewayTls tls = new GatewayTls(input);
    boolean inspect = false;
    for (GatewayServers.Bound bound : merged.servers()) {
      if (bound.terminatesTls()) {
        HttpConnectionManager.Builder hcm =
            gatewayConnectionManager(
                    bound.server().name().isEmpty() ? "outbound_" + name : bound.server().name())
                .setRds(
                    Rds.newBuilder()
                        .setConfigSource(XdsProtos.ADS)
                        .setRouteConfigName(bound.httpsRouteName()));
        withSecurityFilters(hcm, new ProxyNode.Inbound(port, address, address));
        FilterChain.Builder chain =
            filterChain(hcm.build()).toBuilder()
                .setTransportSocket(tls.downstreamTransportSocket(bound.server()))
                .setTransportSocketConnectTimeout(GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT);
        serverNames(bound.sniHosts()).ifPresent(chain::setFilterChainMatch);
        listener.addFilterChains(chain);
        // ALPN (h2, http/1.1) is negotiated: istiod adds the inspector for it.
        inspect = true;
      } else {
        for (TcpListenerBuilder.SniChain route : tcp.gatewayTlsRoutes(bound)) {
          FilterChain.Builder chain =
              TcpListenerBuilder.filterChain(route.proxy()).toBuilder()
                  .setTransportSocketConnectTimeout(GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT);
          serverNames(route.sniHosts()).ifPresent(chain::setFilterChainMatch);
          listener.addFilterChains(chain);
          inspect |= !route.sniHosts().isEmpty();
        }
      }
    }
    if (listener.getFilterChainsCount() == 0) {
      return Optional.empty();
    }
    if (inspect) {
      listener.addListenerFilters(MtlsBuilder.tlsInspector());
    }
    return Optional.of(listener.build());
  }

  /**
   * istiod's {@code toFilterChainMatch} for SNI hosts: {@code server_names} sorted, or no match at
   * all (every connection) when there are none or one is {@code *}.
   */
  private static Optional<FilterChainMatch> serverNames(List<String> sniHosts) {
    if (sniHosts.isEmpty() || sniHosts.contains("*")) {
      return Optional.empty();
    }
    return Optional.of(
        FilterChainMatch.newBuilder().addAllServerNames(new java.util.TreeSet<>(sniHosts)).build());
  }

  /**
   * Puts the authn (jwt_authn) and authz (RBAC) filters of the policies selecting this proxy before
   * the connection manager's other filters, in {@code listener_builder.go
   * buildHTTPConnectionManager}'s order: CUSTOM (RBAC shadow rules and ext_authz), authn, then
   * authz, then fault, CORS and the router.
   */
  private void withSecurityFilters(HttpConnectionManager.Builder hcm, ProxyNode.Inbound inbound) {
    List<HttpFilter> security =
        new java.util.ArrayList<>(
            ExtAuthzBuilder.customFilters(
                input.security().authorizationPolicies(),
                input.security().extensionProviders(),
                input.proxy(),
                inbound));
    JwtAuthnBuilder.inboundFilter(
            input.security().requestAuthentications(),
            input.proxy(),
            input.security().fetchedJwks())
        .ifPresent(security::add);
    security.addAll(
        RbacFilterBuilder.inboundFilters(
            input.security().authorizationPolicies(), input.proxy(), inbound));
    if (!security.isEmpty()) {
      List<HttpFilter> rest = List.copyOf(hcm.getHttpFiltersList());
      hcm.clearHttpFilters().addAllHttpFilters(security).addAllHttpFilters(rest);
    }
  }

  /**
   * The connection manager of a gateway's HTTP server, as istiod's {@code
   * buildGatewayConnectionManager} (gateway.go) with {@code buildHTTPConnectionManager}
   * (listener_builder.go) builds it under the default mesh config: the shared settings of {@link
   * #httpConnectionManager}, and for the gateway class the {@code server} header {@value
   * #INBOUND_SERVER_NAME} ({@code util/proxy_headers.go}), an empty {@code http_protocol_options},
   * {@code xff_num_trusted_hops} 0 (no {@code gatewayTopology}), and {@code
   * x-forwarded-client-cert} SANITIZE_SET with subject, cert, DNS and URI details. A deliberate
   * difference (docs/ translation.md): istiod sets {@code use_remote_address: true}; without {@code
   * internal_address_config} Envoy then treats every client as external and replaces its {@code
   * x-request-id}, which is how Meshproof joins a request to its evidence, so it stays false here.
   */
  static HttpConnectionManager.Builder gatewayConnectionManager(String statPrefix) {
    return httpConnectionManager(statPrefix)
        .setServerName(INBOUND_SERVER_NAME)
        .setHttpProtocolOptions(
            io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance())
        .setForwardClientCertDetails(HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
        .setSetCurrentClientCertDetails(
            HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                .setSubject(BoolValue.of(true))
                .setCert(true)
                .setDns(true)
                .setUri(true));
  }

  private Listener inboundListener(ProxyNode.Inbound inbound) {
    HttpConnectionManager.Builder hcm =
        httpConnectionManager("inbound_" + inbound.servicePort())
            // util/proxy_headers.go GetProxyHeadersFromProxyConfig: "istio-envoy" on inbound only.
            .setServerName(INBOUND_SERVER_NAME)
            .setRouteConfig(routes.inboundRouteConfig(inbound));
    withSecurityFilters(hcm, inbound);
    hcm.addHttpFilters(0, METADATA_EXCHANGE_INBOUND);
    MtlsBuilder mtls = new MtlsBuilder(input);
    if (!mtls.enabled()) {
      return listener(
          inbound.listenerName(), inbound.listener(), TrafficDirection.INBOUND, hcm.build());
    }
    return inboundMtlsListener(inbound, mtls, MtlsBuilder.withClientCertDetails(hcm).build());
  }

  /**
   * The inbound listener of a mesh with a CA, by the port's PeerAuthentication mode: STRICT has
   * only the TLS chain (a plaintext connection matches no chain and is closed, as Envoy does),
   * PERMISSIVE the TLS chain and a plaintext one, told apart per connection by the TLS inspector's
   * {@code transport_protocol}; DISABLE only the plaintext chain.
   */
  private static Listener inboundMtlsListener(
      ProxyNode.Inbound inbound, MtlsBuilder mtls, HttpConnectionManager hcm) {
    PeerAuthenticationMode mode = mtls.inboundMode(inbound);
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(inbound.listenerName())
            .setAddress(XdsProtos.address(inbound.listener()))
            .setTrafficDirection(TrafficDirection.INBOUND);
    if (mode == PeerAuthenticationMode.DISABLE) {
      return listener.addFilterChains(filterChain(hcm)).build();
    }
    listener.addListenerFilters(MtlsBuilder.tlsInspector());
    listener.addFilterChains(
        filterChain(hcm).toBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls"))
            .setTransportSocket(mtls.downstreamTransportSocket()));
    if (mode == PeerAuthenticationMode.PERMISSIVE) {
      listener.addFilterChains(
          filterChain(hcm).toBuilder()
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer")));
    }
    return listener.build();
  }

  /** istiod's {@code xdsfilters.MxFilterName}. */
  static final String METADATA_EXCHANGE_FILTER = "istio.metadata_exchange";

  /**
   * istio-proxy's {@code peer_metadata} filter configuration type ({@code PeerMetadataTypeURL}).
   */
  static final String PEER_METADATA_TYPE = "type.googleapis.com/io.istio.http.peer_metadata.Config";

  /**
   * istiod's {@code SidecarInboundMetadataFilter} (filters.go): the caller's metadata discovered
   * from its {@code x-envoy-peer-metadata} headers (then workload discovery), and this workload's
   * sent back in the response. First in the chain, before authn and authz ({@code appendMxFilter},
   * istio#41066).
   */
  static final HttpFilter METADATA_EXCHANGE_INBOUND =
      metadataExchange("downstream_discovery", "downstream_propagation");

  /**
   * istiod's {@code SidecarOutboundMetadataFilter}: this workload's metadata sent to the upstream
   * in {@code x-envoy-peer-metadata} headers, the upstream's discovered from the response.
   */
  static final HttpFilter METADATA_EXCHANGE_OUTBOUND =
      metadataExchange("upstream_discovery", "upstream_propagation");

  /**
   * The metadata exchange filter as istiod writes it, a {@code TypedStruct} of istio-proxy's {@code
   * io.istio.http.peer_metadata.Config}. A deliberate difference (docs/telemetry.md): the filter is
   * marked {@code is_optional}, since upstream Envoy has no such extension and would reject the
   * listener otherwise; it ignores the filter, and the embedded sidecar runs it.
   */
  private static HttpFilter metadataExchange(String discovery, String propagation) {
    Value istioHeaders =
        Value.newBuilder()
            .setStructValue(
                Struct.newBuilder()
                    .putFields(
                        "istio_headers",
                        Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build()))
            .build();
    Value workloadDiscovery =
        Value.newBuilder()
            .setStructValue(
                Struct.newBuilder()
                    .putFields(
                        "workload_discovery",
                        Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build()))
            .build();
    Struct config =
        Struct.newBuilder()
            .putFields(
                discovery,
                Value.newBuilder()
                    .setListValue(
                        com.google.protobuf.ListValue.newBuilder()
                            .addValues(istioHeaders)
                            .addValues(workloadDiscovery))
                    .build())
            .putFields(
                propagation,
                Value.newBuilder()
                    .setListValue(
                        com.google.protobuf.ListValue.newBuilder().addValues(istioHeaders))
                    .build())
            .build();
    return HttpFilter.newBuilder()
        .setName(METADATA_EXCHANGE_FILTER)
        .setTypedConfig(
            Any.pack(
                com.github.xds.type.v3.TypedStruct.newBuilder()
                    .setTypeUrl(PEER_METADATA_TYPE)
                    .setValue(config)
                    .build()))
        .setIsOptional(true)
        .build();
  }

  /** The {@code server} header value istiod gives inbound connection managers. */
  static final String INBOUND_SERVER_NAME = "istio-envoy";

  /**
   * A connection manager with istiod's sidecar settings ({@code listener_builder.go
   * buildHTTPConnectionManager} :380, {@code util/proxy_headers.go}; istiod-defaults.md section 5):
   * mesh {@code pathNormalization} unset is BASE ({@code normalize_path: true}, slashes not merged,
   * escaped slashes kept), no remote address, websocket upgrades, stream idle timeout disabled, the
   * {@code server} header overwritten, 100-continue proxied and UUID request ids that carry the
   * trace decision. Outbound and inbound alike, as istiod builds both with this function.
   */
  private static HttpConnectionManager.Builder httpConnectionManager(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .setNormalizePath(BoolValue.of(true))
        .setPathWithEscapedSlashesAction(
            HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED)
        .setUseRemoteAddress(BoolValue.of(false))
        .addUpgradeConfigs(
            HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType(WEBSOCKET))
        .setStreamIdleTimeout(com.google.protobuf.Duration.getDefaultInstance())
        .setServerHeaderTransformation(HttpConnectionManager.ServerHeaderTransformation.OVERWRITE)
        .setProxy100Continue(true)
        .setRequestIdExtension(
            RequestIDExtension.newBuilder()
                .setTypedConfig(
                    Any.pack(
                        UuidRequestIdConfig.newBuilder()
                            .setUseRequestIdForTraceSampling(BoolValue.of(true))
                            .build())))
        .addAccessLog(ACCESS_LOG)
        .addAllHttpFilters(HTTP_FILTERS);
  }

  /**
   * The connection manager's {@code http_filters}: of istiod's sidecar chain ({@code
   * listener_builder.go buildHTTPConnectionManager} :512, istiod-defaults.md section 5) the ones
   * Meshproof models, in istiod's order: the fault filter with an empty {@code HTTPFault} (routes
   * configure it through {@code typed_per_filter_config}), the CORS filter with an empty {@code
   * Cors} (likewise), then the router.
   */
  static final List<HttpFilter> HTTP_FILTERS =
      List.of(
          HttpFilter.newBuilder()
              .setName(FaultTranslation.FAULT_FILTER)
              .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
              .build(),
          // The CORS filter acts only on routes with a CorsPolicy in typed_per_filter_config.
          HttpFilter.newBuilder()
              .setName(RouteConfigBuilder.CORS_FILTER)
              .setTypedConfig(Any.pack(Cors.getDefaultInstance()))
              .build(),
          HttpFilter.newBuilder()
              .setName("envoy.filters.http.router")
              .setTypedConfig(Any.pack(Router.getDefaultInstance()))
              .build());

  private static Listener listener(
      String name,
      InetSocketAddress address,
      TrafficDirection direction,
      HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(XdsProtos.address(address))
        .setTrafficDirection(direction)
        .addFilterChains(filterChain(hcm))
        .build();
  }

  private static FilterChain filterChain(HttpConnectionManager hcm) {
    return FilterChain.newBuilder()
        .addFilters(
            Filter.newBuilder()
                // Envoy selects the filter by the typed_config type; this legacy name is
                // the one java-control-plane's ensureConsistent() follows to RDS names.
                .setName("envoy.http_connection_manager")
                .setTypedConfig(Any.pack(hcm)))
        .build();
  }
}
