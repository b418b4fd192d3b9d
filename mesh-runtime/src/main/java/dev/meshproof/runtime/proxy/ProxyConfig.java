package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.HostSelection;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a sidecar routes by, decoded once per xDS update into immutable values. The proxy
 * swaps the whole object through one volatile reference and reads it once per request, so a request
 * never sees half an update.
 */
public record ProxyConfig(
    Map<String, ListenerConfig> listeners,
    Map<String, ClusterConfig> clusters,
    Map<String, String> versions,
    Map<String, SecretConfig> secrets) {

  public static final ProxyConfig EMPTY = new ProxyConfig(Map.of(), Map.of(), Map.of());

  public ProxyConfig {
    listeners = Map.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    versions = Map.copyOf(versions);
    secrets = Map.copyOf(secrets);
  }

  /** A configuration without SDS secrets. */
  public ProxyConfig(
      Map<String, ListenerConfig> listeners,
      Map<String, ClusterConfig> clusters,
      Map<String, String> versions) {
    this(listeners, clusters, versions, Map.of());
  }

  /** An SDS secret (Envoy's {@code Secret}): a certificate with its key, or trusted roots. */
  public sealed interface SecretConfig {
    /** {@code tls_certificate}: the key and the chain, leaf first. */
    record TlsCertificate(
        java.security.PrivateKey privateKey, List<java.security.cert.X509Certificate> chain)
        implements SecretConfig {
      public TlsCertificate {
        chain = List.copyOf(chain);
      }
    }

    /** {@code validation_context}: the trusted CA certificates. */
    record ValidationContext(List<java.security.cert.X509Certificate> trustedCa)
        implements SecretConfig {
      public ValidationContext {
        trustedCa = List.copyOf(trustedCa);
      }
    }
  }

  /**
   * A decoded {@code DownstreamTlsContext} or {@code UpstreamTlsContext}: the SDS secret of the
   * certificate to present, the SDS secret of the trusted roots, the URI SAN matchers of the peer
   * ({@code match_typed_subject_alt_names}), the SNI to send (upstream) and whether a client
   * certificate is required (downstream); for a DestinationRule's SIMPLE or MUTUAL, the deprecated
   * {@code match_subject_alt_names} (any SAN type) and the ALPN protocols offered (upstream) or
   * selected from (downstream, server preference). An empty {@code certificateSecret} presents no
   * certificate (an upstream SIMPLE); an empty {@code validationSecret} verifies nothing (an empty
   * {@code validation_context}: insecureSkipVerify).
   */
  public record TlsContextConfig(
      String certificateSecret,
      String validationSecret,
      List<dev.meshproof.runtime.policy.route.StringMatcher> uriSanMatchers,
      Optional<String> sni,
      boolean requireClientCertificate,
      List<dev.meshproof.runtime.policy.route.StringMatcher> anySanMatchers,
      List<String> alpnProtocols) {
    public TlsContextConfig {
      uriSanMatchers = List.copyOf(uriSanMatchers);
      anySanMatchers = List.copyOf(anySanMatchers);
      alpnProtocols = List.copyOf(alpnProtocols);
    }

    /** A context as mutual TLS between sidecars writes it: no deprecated SAN matchers, no ALPN. */
    public TlsContextConfig(
        String certificateSecret,
        String validationSecret,
        List<dev.meshproof.runtime.policy.route.StringMatcher> uriSanMatchers,
        Optional<String> sni,
        boolean requireClientCertificate) {
      this(
          certificateSecret,
          validationSecret,
          uriSanMatchers,
          sni,
          requireClientCertificate,
          List.of(),
          List.of());
    }
  }

  /**
   * The connection manager's {@code forward_client_cert_details} and {@code
   * set_current_client_cert_details}: what happens to {@code x-forwarded-client-cert}.
   */
  public record ClientCertConfig(
      Forward forward, boolean subject, boolean uri, boolean dns, boolean cert) {
    /** Without the URL-encoded PEM {@code Cert=} element. */
    public ClientCertConfig(Forward forward, boolean subject, boolean uri, boolean dns) {
      this(forward, subject, uri, dns, false);
    }

    /** Envoy's default: SANITIZE, no details. */
    public static final ClientCertConfig SANITIZE =
        new ClientCertConfig(Forward.SANITIZE, false, false, false);

    /** {@code HttpConnectionManager.ForwardClientCertDetails}. */
    public enum Forward {
      SANITIZE,
      FORWARD_ONLY,
      APPEND_FORWARD,
      SANITIZE_SET,
      ALWAYS_FORWARD_ONLY
    }
  }

  /**
   * A listener: where it binds and its filter chains, each selected by its match (Envoy's {@code
   * Listener.filter_chains}); the first chain whose match is the most specific for a connection
   * serves it.
   */
  public record ListenerConfig(
      String name,
      InetSocketAddress address,
      List<FilterChainConfig> filterChains,
      boolean tlsInspector) {
    /** A listener without listener filters. */
    public ListenerConfig(
        String name, InetSocketAddress address, List<FilterChainConfig> filterChains) {
      this(name, address, filterChains, false);
    }

    public ListenerConfig {
      filterChains = List.copyOf(filterChains);
      if (filterChains.isEmpty()) {
        throw new IllegalArgumentException(
            "listener " + name + ": filter_chains: [] (expected: at least one filter chain)");
      }
    }

    /** True once every chain's routes are known (an RDS route config arrived). */
    public boolean routesResolved() {
      return filterChains.stream().allMatch(FilterChainConfig::routesResolved);
    }

    /**
     * The chain that serves a plaintext-decided connection without SNI ({@link #filterChainFor(int,
     * String, Optional)}).
     */
    public Optional<FilterChainConfig> filterChainFor(int destinationPort, String transport) {
      return filterChainFor(destinationPort, transport, Optional.empty());
    }

    /**
     * The chain that serves a connection, as Envoy's {@code FilterChainManagerImpl} selects it:
     * criterion by criterion in its order (destination port, server name, transport protocol), the
     * chains naming the connection's value if any do, else those not naming the criterion; a
     * connection whose most specific candidates fail a later criterion matches nothing (Envoy does
     * not fall back to less specific chains). Server names: the exact SNI first, then the longest
     * {@code *.suffix} wildcard; a connection without SNI only matches chains without server names.
     * Empty when no chain matches (Envoy closes such a connection).
     */
    public Optional<FilterChainConfig> filterChainFor(
        int destinationPort, String transport, Optional<String> serverName) {
      List<FilterChainConfig> candidates =
          narrow(
              filterChains,
              c ->
                  c.match().destinationPort().isPresent()
                      && c.match().destinationPort().getAsInt() == destinationPort,
              c -> c.match().destinationPort().isEmpty());
      candidates = byServerName(candidates, serverName);
      candidates =
          narrow(
              candidates,
              c -> c.match().transportProtocol().filter(transport::equals).isPresent(),
              c -> c.match().transportProtocol().isEmpty());
      return candidates.stream().findFirst();
    }

    private static List<FilterChainConfig> narrow(
        List<FilterChainConfig> chains,
        java.util.function.Predicate<FilterChainConfig> specific,
        java.util.function.Predicate<FilterChainConfig> unspecified) {
      List<FilterChainConfig> matching = chains.stream().filter(specific).toList();
      return matching.isEmpty() ? chains.stream().filter(unspecified).toList() : matching;
    }

    private static List<FilterChainConfig> byServerName(
        List<FilterChainConfig> chains, Optional<String> serverName) {
      if (serverName.isPresent() && !serverName.get().isEmpty()) {
        String sni = serverName.get().toLowerCase(java.util.Locale.ROOT);
        List<FilterChainConfig> exact =
            chains.stream().filter(c -> c.match().serverNames().contains(sni)).toList();
        if (!exact.isEmpty()) {
          return exact;
        }
        // Envoy's wildcard lookup: *.b.example.com, then *.example.com, then *.com.
        for (int dot = sni.indexOf('.'); dot >= 0; dot = sni.indexOf('.', dot + 1)) {
          String wildcard = "*" + sni.substring(dot);
          List<FilterChainConfig> matching =
              chains.stream().filter(c -> c.match().serverNames().contains(wildcard)).toList();
          if (!matching.isEmpty()) {
            return matching;
          }
        }
      }
      return chains.stream().filter(c -> c.match().serverNames().isEmpty()).toList();
    }
  }

  /**
   * Envoy's {@code FilterChainMatch}, reduced to the criteria the embedded sidecar can evaluate:
   * destination port, transport protocol and server names (the SNI the TLS inspector reads); the
   * decoder NACKs any other criterion (ALPN, source or destination addresses).
   */
  public record FilterChainMatch(
      OptionalInt destinationPort, Optional<String> transportProtocol, List<String> serverNames) {
    /** Matches every connection (an empty {@code filter_chain_match}). */
    public static final FilterChainMatch ANY =
        new FilterChainMatch(OptionalInt.empty(), Optional.empty());

    public FilterChainMatch {
      serverNames = List.copyOf(serverNames);
    }

    /** A match without server names. */
    public FilterChainMatch(OptionalInt destinationPort, Optional<String> transportProtocol) {
      this(destinationPort, transportProtocol, List.of());
    }

    public boolean matches(int port, String transport) {
      return (destinationPort.isEmpty() || destinationPort.getAsInt() == port)
          && (transportProtocol.isEmpty() || transportProtocol.get().equals(transport));
    }
  }

  /** One filter chain: its match and its HTTP connection manager (the only network filter). */
  public record FilterChainConfig(
      FilterChainMatch match,
      /** Null on a TCP chain, whose filter is {@link #tcpProxy}. */
      HttpConnectionManagerConfig httpConnectionManager,
      Optional<TlsContextConfig> tls,
      Optional<TcpProxyConfig> tcpProxy,
      /** A TCP chain's network RBAC filters, in order, before its tcp_proxy. */
      List<dev.meshproof.runtime.policy.authz.RbacFilterPolicy> networkRbac,
      /**
       * Envoy's {@code transport_socket_connect_timeout}: how long the TLS handshake may take;
       * zero: no limit of the chain's own (the sidecar's default handshake timeout).
       */
      java.time.Duration transportSocketConnectTimeout) {
    public FilterChainConfig {
      if ((httpConnectionManager == null) == tcpProxy.isEmpty()) {
        throw new IllegalArgumentException(
            "filter chain: expected exactly one of an HTTP connection manager or a tcp_proxy");
      }
      networkRbac = List.copyOf(networkRbac);
      if (!networkRbac.isEmpty() && tcpProxy.isEmpty()) {
        throw new IllegalArgumentException(
            "filter chain: network RBAC filters are supported before a tcp_proxy only");
      }
    }

    /** A chain without network RBAC filters or a transport socket connect timeout. */
    public FilterChainConfig(
        FilterChainMatch match,
        HttpConnectionManagerConfig httpConnectionManager,
        Optional<TlsContextConfig> tls,
        Optional<TcpProxyConfig> tcpProxy) {
      this(match, httpConnectionManager, tls, tcpProxy, List.of());
    }

    /** A chain without a transport socket connect timeout. */
    public FilterChainConfig(
        FilterChainMatch match,
        HttpConnectionManagerConfig httpConnectionManager,
        Optional<TlsContextConfig> tls,
        Optional<TcpProxyConfig> tcpProxy,
        List<dev.meshproof.runtime.policy.authz.RbacFilterPolicy> networkRbac) {
      this(match, httpConnectionManager, tls, tcpProxy, networkRbac, java.time.Duration.ZERO);
    }

    /** This chain with {@code timeout} as its transport socket connect timeout. */
    public FilterChainConfig withTransportSocketConnectTimeout(java.time.Duration timeout) {
      return new FilterChainConfig(
          match, httpConnectionManager, tls, tcpProxy, networkRbac, timeout);
    }

    /** An HTTP chain. */
    public FilterChainConfig(
        FilterChainMatch match,
        HttpConnectionManagerConfig httpConnectionManager,
        Optional<TlsContextConfig> tls) {
      this(match, httpConnectionManager, tls, Optional.empty());
    }

    /** A plaintext chain ({@code raw_buffer} transport socket). */
    public FilterChainConfig(
        FilterChainMatch match, HttpConnectionManagerConfig httpConnectionManager) {
      this(match, httpConnectionManager, Optional.empty());
    }

    /** A plaintext TCP chain: its one network filter is a {@code tcp_proxy}. */
    public FilterChainConfig(FilterChainMatch match, TcpProxyConfig tcpProxy) {
      this(match, null, Optional.empty(), Optional.of(tcpProxy));
    }

    /** True when this chain's routes are known: a TCP chain has none to wait for. */
    public boolean routesResolved() {
      return tcpProxy.isPresent() || httpConnectionManager.routes().isPresent();
    }
  }

  /**
   * Envoy's {@code tcp_proxy} network filter: the prefix of its {@code tcp.<prefix>.*} statistics
   * and where each downstream connection goes, one cluster or one of {@code weighted_clusters}
   * picked per connection in proportion to its weight.
   */
  public record TcpProxyConfig(
      String statPrefix,
      List<dev.meshproof.runtime.policy.route.WeightedCluster> clusters,
      List<AccessLogConfig> accessLogs) {
    public TcpProxyConfig {
      clusters = List.copyOf(clusters);
      accessLogs = List.copyOf(accessLogs);
      if (clusters.isEmpty()) {
        throw new IllegalArgumentException(
            "tcp_proxy " + statPrefix + ": no cluster (expected: cluster or weighted_clusters)");
      }
    }

    /** A TCP proxy without access logs. */
    public TcpProxyConfig(
        String statPrefix, List<dev.meshproof.runtime.policy.route.WeightedCluster> clusters) {
      this(statPrefix, clusters, List.of());
    }
  }

  /**
   * The HTTP connection manager of a filter chain: the prefix of its {@code http.<prefix>.*}
   * statistics (Envoy's {@code stat_prefix}), its access logs, its HTTP filters in order (the
   * router last) and its routes, either inline or by RDS name (empty while the named route
   * configuration has not arrived, as an Envoy listener warms).
   */
  public record HttpConnectionManagerConfig(
      String statPrefix,
      List<AccessLogConfig> accessLogs,
      List<HttpFilterConfig> httpFilters,
      String routeConfigName,
      Optional<RouteTable> routes,
      ConnectionManagerOptions options,
      ClientCertConfig clientCert) {
    /** A connection manager with Envoy's default client certificate handling (SANITIZE). */
    public HttpConnectionManagerConfig(
        String statPrefix,
        List<AccessLogConfig> accessLogs,
        List<HttpFilterConfig> httpFilters,
        String routeConfigName,
        Optional<RouteTable> routes,
        ConnectionManagerOptions options) {
      this(
          statPrefix,
          accessLogs,
          httpFilters,
          routeConfigName,
          routes,
          options,
          ClientCertConfig.SANITIZE);
    }

    public HttpConnectionManagerConfig {
      accessLogs = List.copyOf(accessLogs);
      httpFilters = List.copyOf(httpFilters);
      if (httpFilters.isEmpty()
          || !(httpFilters.get(httpFilters.size() - 1) instanceof HttpFilterConfig.Router)) {
        throw new IllegalArgumentException(
            "http_filters: " + httpFilters + " (expected: the router as the last filter)");
      }
    }

    /**
     * A connection manager with Envoy's defaults for the options ({@link
     * ConnectionManagerOptions#ENVOY_DEFAULTS}).
     */
    public HttpConnectionManagerConfig(
        String statPrefix,
        List<AccessLogConfig> accessLogs,
        List<HttpFilterConfig> httpFilters,
        String routeConfigName,
        Optional<RouteTable> routes) {
      this(
          statPrefix,
          accessLogs,
          httpFilters,
          routeConfigName,
          routes,
          ConnectionManagerOptions.ENVOY_DEFAULTS);
    }

    HttpConnectionManagerConfig withRoutes(Optional<RouteTable> resolved) {
      return new HttpConnectionManagerConfig(
          statPrefix, accessLogs, httpFilters, routeConfigName, resolved, options, clientCert);
    }
  }

  /**
   * The request-path settings of a connection manager the sidecar honours: {@code normalize_path}
   * and {@code merge_slashes} (RFC 3986 path canonicalization before routing, as Envoy's {@code
   * PathUtil::canonicalPath}), websocket in {@code upgrade_configs}, the {@code server} header
   * value ({@code server_name}, Envoy's default "envoy") and {@code proxy_100_continue} (the {@code
   * Expect} header goes upstream).
   */
  public record ConnectionManagerOptions(
      boolean normalizePath,
      boolean mergeSlashes,
      boolean websocketUpgrades,
      String serverName,
      boolean proxy100Continue) {
    /** Envoy's values when the fields are unset. */
    public static final ConnectionManagerOptions ENVOY_DEFAULTS =
        new ConnectionManagerOptions(false, false, false, "envoy", false);
  }

  /**
   * One {@code access_log} entry of a connection manager: Envoy's file access logger ({@code
   * envoy.access_loggers.file}) with a {@code json_format}, each key mapped to one command
   * operator. The embedded sidecar keeps the entries in memory (its {@code AccessLog}) rather than
   * writing {@code path}; the decoder NACKs every operator it cannot produce.
   *
   * @param path where Envoy writes the log, e.g. {@code /dev/stdout}
   * @param jsonFormat each JSON key with its operator, e.g. {@code route_name -> %ROUTE_NAME%}
   */
  public record AccessLogConfig(String path, Map<String, String> jsonFormat) {
    public AccessLogConfig {
      jsonFormat = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(jsonFormat));
    }
  }

  /**
   * A decoded entry of the connection manager's {@code http_filters}. Only filters the sidecar
   * implements have a case here; the decoder NACKs every other name or type.
   */
  public sealed interface HttpFilterConfig {
    /** {@code envoy.filters.http.router} with its default configuration: the terminal filter. */
    record Router() implements HttpFilterConfig {
      public static final String NAME = "envoy.filters.http.router";
    }

    /**
     * {@code envoy.filters.http.fault}: its own configuration, which a route's {@code
     * typed_per_filter_config} replaces (istiod emits an empty one).
     */
    record Fault(dev.meshproof.runtime.policy.fault.FaultPolicy policy)
        implements HttpFilterConfig {
      public static final String NAME = "envoy.filters.http.fault";
    }

    /**
     * {@code envoy.filters.http.cors}: applies the CORS policy of the matched route, if it has one.
     */
    record Cors() implements HttpFilterConfig {}

    /**
     * {@code istio.metadata_exchange} (istio-proxy's {@code peer_metadata}): which of Istio's
     * {@code x-envoy-peer-metadata} header methods it runs: discovery of the downstream peer from
     * the request (an inbound listener's), propagation of this proxy's metadata to the upstream in
     * the request (an outbound listener's), and their response-side counterparts.
     */
    record MetadataExchange(
        boolean downstreamDiscovery,
        boolean downstreamPropagation,
        boolean upstreamDiscovery,
        boolean upstreamPropagation)
        implements HttpFilterConfig {
      public static final String NAME = "istio.metadata_exchange";
    }

    /**
     * {@code envoy.filters.http.rbac}: Istio's AuthorizationPolicies of one action as RBAC rules,
     * refusing a request 403 {@code RBAC: access denied}.
     */
    record Rbac(dev.meshproof.runtime.policy.authz.RbacFilterPolicy policy)
        implements HttpFilterConfig {}

    /**
     * {@code envoy.filters.http.ext_authz} with an HTTP service: Istio's CUSTOM policies, asking
     * the provider about the requests their RBAC shadow rules matched.
     */
    record ExtAuthz(dev.meshproof.runtime.policy.authz.ExtAuthzPolicy policy)
        implements HttpFilterConfig {
      public static final String NAME = "envoy.filters.http.ext_authz";
    }

    /**
     * {@code envoy.filters.http.jwt_authn}: Istio's RequestAuthentications; a bad token is answered
     * 401, a verified payload goes to later filters' metadata under {@code payloadInMetadata}, its
     * {@code spaceDelimited} claims split into lists.
     */
    record JwtAuthn(
        dev.meshproof.runtime.policy.authn.JwtAuthentication policy,
        String payloadInMetadata,
        List<String> spaceDelimited)
        implements HttpFilterConfig {
      public JwtAuthn {
        spaceDelimited = List.copyOf(spaceDelimited);
      }
    }
  }

  /** A cluster with its load-balancing policy and current endpoints. */
  public record ClusterConfig(
      String name,
      LbPolicy lbPolicy,
      List<InetSocketAddress> endpoints,
      CircuitBreakerThresholds circuitBreakers,
      java.util.Optional<OutlierDetectionPolicy> outlierDetection,
      double panicThresholdPercent,
      UpstreamConnectionSettings connectionSettings,
      Optional<TlsContextConfig> tls,
      /**
       * For an {@code ORIGINAL_DST} cluster, the request header naming the destination; its hosts
       * are made per request, not listed.
       */
      Optional<String> originalDestinationHeader,
      /** RING_HASH or MAGLEV: the table a request's hash is looked up in. */
      Optional<dev.meshproof.runtime.policy.lb.ConsistentHashLb> consistentHash,
      /**
       * The EDS locality group of each endpoint (parallel to {@code endpoints}): its priority and
       * the group's weight; empty: all priority 0 in one unweighted group.
       */
      List<dev.meshproof.runtime.policy.lb.EndpointLocality> localities,
      /**
       * {@code common_lb_config.locality_weighted_lb_config}: pick a locality by its weight inside
       * the priority before the host.
       */
      boolean localityWeighted,
      /**
       * For an {@code ORIGINAL_DST} cluster, {@code original_dst_lb_config.upstream_port_override}:
       * the port connected to instead of the original destination's (istiod's {@code
       * PassthroughTargetPorts} of a resolution NONE ServiceEntry port with a {@code targetPort}).
       */
      java.util.OptionalInt originalDestinationPort,
      /**
       * The {@code slow_start_config} of {@code round_robin_lb_config} or {@code
       * least_request_lb_config} (Istio's warmup); empty: none.
       */
      Optional<dev.meshproof.runtime.policy.lb.SlowStart> slowStart) {
    /** A cluster without slow start. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings,
        Optional<TlsContextConfig> tls,
        Optional<String> originalDestinationHeader,
        Optional<dev.meshproof.runtime.policy.lb.ConsistentHashLb> consistentHash,
        List<dev.meshproof.runtime.policy.lb.EndpointLocality> localities,
        boolean localityWeighted,
        java.util.OptionalInt originalDestinationPort) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          localities,
          localityWeighted,
          originalDestinationPort,
          Optional.empty());
    }

    /** The same cluster with (or without) slow start. */
    public ClusterConfig withSlowStart(Optional<dev.meshproof.runtime.policy.lb.SlowStart> start) {
      return new ClusterConfig(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          localities,
          localityWeighted,
          originalDestinationPort,
          start);
    }

    /** A cluster without an original-destination port override. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings,
        Optional<TlsContextConfig> tls,
        Optional<String> originalDestinationHeader,
        Optional<dev.meshproof.runtime.policy.lb.ConsistentHashLb> consistentHash,
        List<dev.meshproof.runtime.policy.lb.EndpointLocality> localities,
        boolean localityWeighted) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          localities,
          localityWeighted,
          java.util.OptionalInt.empty());
    }

    public ClusterConfig {
      java.util.Objects.requireNonNull(slowStart, "slowStart");
      endpoints = List.copyOf(endpoints);
      localities = List.copyOf(localities);
      if (!localities.isEmpty() && localities.size() != endpoints.size()) {
        throw new IllegalArgumentException(
            "localities: "
                + localities.size()
                + " (expected: one per endpoint, "
                + endpoints.size()
                + ")");
      }
    }

    /** The locality group of endpoint {@code index}. */
    public dev.meshproof.runtime.policy.lb.EndpointLocality locality(int index) {
      return localities.isEmpty()
          ? dev.meshproof.runtime.policy.lb.EndpointLocality.NONE
          : localities.get(index);
    }

    /** The same cluster with (or without) locality-weighted balancing. */
    public ClusterConfig withLocalityWeighted(boolean weighted) {
      return new ClusterConfig(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          localities,
          weighted,
          originalDestinationPort,
          slowStart);
    }

    /** A cluster whose endpoints all have priority 0. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings,
        Optional<TlsContextConfig> tls,
        Optional<String> originalDestinationHeader,
        Optional<dev.meshproof.runtime.policy.lb.ConsistentHashLb> consistentHash) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          List.of(),
          false);
    }

    /** A cluster without a consistent hash. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings,
        Optional<TlsContextConfig> tls,
        Optional<String> originalDestinationHeader) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          Optional.empty());
    }

    /** The same cluster looking hashes up in {@code hash}. */
    public ClusterConfig withConsistentHash(
        Optional<dev.meshproof.runtime.policy.lb.ConsistentHashLb> hash) {
      return new ClusterConfig(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          hash,
          localities,
          localityWeighted,
          originalDestinationPort,
          slowStart);
    }

    /** A plaintext cluster with Envoy's connection settings. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          UpstreamConnectionSettings.ENVOY_DEFAULTS,
          Optional.empty(),
          Optional.empty());
    }

    /** A plaintext cluster whose hosts are its endpoints. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          Optional.empty(),
          Optional.empty());
    }

    /** A cluster whose hosts are its endpoints, over {@code tls} when present. */
    public ClusterConfig(
        String name,
        LbPolicy lbPolicy,
        List<InetSocketAddress> endpoints,
        CircuitBreakerThresholds circuitBreakers,
        java.util.Optional<OutlierDetectionPolicy> outlierDetection,
        double panicThresholdPercent,
        UpstreamConnectionSettings connectionSettings,
        Optional<TlsContextConfig> tls) {
      this(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          Optional.empty());
    }

    /** A cluster with Envoy's defaults for everything but its load balancer and endpoints. */
    public ClusterConfig(String name, LbPolicy lbPolicy, List<InetSocketAddress> endpoints) {
      this(
          name,
          lbPolicy,
          endpoints,
          CircuitBreakerThresholds.ENVOY_DEFAULTS,
          java.util.Optional.empty(),
          HostSelection.ENVOY_DEFAULT_PANIC_THRESHOLD_PERCENT);
    }

    /**
     * The same cluster with {@code endpoints} (from EDS), with their priorities when the EDS
     * decoder gave them.
     */
    public ClusterConfig withEndpoints(List<InetSocketAddress> endpoints) {
      return new ClusterConfig(
          name,
          lbPolicy,
          endpoints,
          circuitBreakers,
          outlierDetection,
          panicThresholdPercent,
          connectionSettings,
          tls,
          originalDestinationHeader,
          consistentHash,
          endpoints instanceof EndpointDecoder.Prioritized p ? p.localities() : List.of(),
          localityWeighted,
          originalDestinationPort,
          slowStart);
    }
  }
}
