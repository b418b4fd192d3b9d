package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainMatch;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class XdsDecoderTest {

  private static final HttpFilter ROUTER =
      HttpFilter.newBuilder()
          .setName("envoy.filters.http.router")
          .setTypedConfig(Any.pack(Router.getDefaultInstance()))
          .build();

  /** An HTTP connection manager as the translator emits it: RDS and the router only. */
  private static HttpConnectionManager.Builder hcm() {
    return HttpConnectionManager.newBuilder()
        .setStreamIdleTimeout(com.google.protobuf.Duration.getDefaultInstance())
        .setStatPrefix("outbound")
        .setRds(Rds.newBuilder().setRouteConfigName("80"))
        .addHttpFilters(ROUTER);
  }

  private static FilterChain.Builder chain(HttpConnectionManager.Builder hcm) {
    return FilterChain.newBuilder()
        .addFilters(
            Filter.newBuilder()
                .setName("envoy.http_connection_manager")
                .setTypedConfig(Any.pack(hcm.build())));
  }

  private static Listener listener(FilterChain.Builder... chains) {
    Listener.Builder listener =
        Listener.newBuilder()
            .setName("virtualOutbound")
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(15001)));
    for (FilterChain.Builder chain : chains) {
      listener.addFilterChains(chain);
    }
    return listener.build();
  }

  @Test
  void theTranslatorsListenerDecodesToOneChainWithTheRouterAndItsRdsName() {
    ListenerConfig decoded = ListenerDecoder.listener(listener(chain(hcm())));

    assertThat(decoded.filterChains()).hasSize(1);
    FilterChainConfig chain = decoded.filterChains().get(0);
    assertThat(chain.match()).isEqualTo(FilterChainMatch.ANY);
    assertThat(chain.httpConnectionManager().httpFilters())
        .containsExactly(new HttpFilterConfig.Router());
    assertThat(chain.httpConnectionManager().routeConfigName()).isEqualTo("80");
    assertThat(chain.httpConnectionManager().routes()).isEmpty();
    assertThat(decoded.routesResolved()).isFalse();
  }

  @Test
  void anHttpFilterTheSidecarDoesNotImplementIsNacked() {
    HttpConnectionManager.Builder withLua =
        hcm()
            .clearHttpFilters()
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.lua")
                    .setTypedConfig(
                        Any.pack(
                            io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua
                                .getDefaultInstance())))
            .addHttpFilters(ROUTER);

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(withLua))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http_filters[0] 'envoy.filters.http.lua'")
        .hasMessageContaining("is not supported by the embedded sidecar");
  }

  @Test
  void theRouterNameWithAnotherTypeIsNacked() {
    HttpConnectionManager.Builder misnamed =
        hcm()
            .clearHttpFilters()
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())));

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(misnamed))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("envoy.extensions.filters.http.fault.v3.HTTPFault");
  }

  @Test
  void aRouterWithSettingsTheSidecarIgnoresIsNacked() {
    HttpConnectionManager.Builder tuned =
        hcm()
            .clearHttpFilters()
            .addHttpFilters(
                ROUTER.toBuilder()
                    .setTypedConfig(
                        Any.pack(Router.newBuilder().setSuppressEnvoyHeaders(true).build())));

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(tuned))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[suppress_envoy_headers] not supported");
  }

  @Test
  void aRouterThatIsNotTheLastFilterOrNoFilterAtAllIsNacked() {
    assertThatThrownBy(
            () -> ListenerDecoder.listener(listener(chain(hcm().addHttpFilters(ROUTER)))))
        .hasMessageContaining("the router must be the last HTTP filter");
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(hcm().clearHttpFilters()))))
        .hasMessageContaining("http_filters is empty");
  }

  @Test
  void filterChainMatchesOnPortAndPlaintextDecodeAndSelectByPrecedence() {
    FilterChain.Builder any = chain(hcm());
    FilterChain.Builder onPort =
        chain(hcm().setRds(Rds.newBuilder().setRouteConfigName("9080")))
            .setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                    .setDestinationPort(UInt32Value.of(9080))
                    .setTransportProtocol("raw_buffer"));

    ListenerConfig decoded = ListenerDecoder.listener(listener(any, onPort));

    assertThat(decoded.filterChains().get(1).match())
        .isEqualTo(new FilterChainMatch(OptionalInt.of(9080), Optional.of("raw_buffer")));
    assertThat(decoded.filterChainFor(9080, "raw_buffer").orElseThrow().match().destinationPort())
        .hasValue(9080);
    assertThat(decoded.filterChainFor(15001, "raw_buffer").orElseThrow().match())
        .isEqualTo(FilterChainMatch.ANY);
  }

  private static FilterChain.Builder sniChain(String route, String... serverNames) {
    return chain(hcm().setRds(Rds.newBuilder().setRouteConfigName(route)))
        .setFilterChainMatch(
            io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                .addAllServerNames(java.util.List.of(serverNames)));
  }

  private static String routeOf(ListenerConfig listener, String sni) {
    return listener
        .filterChainFor(15001, "tls", Optional.ofNullable(sni))
        .map(c -> c.httpConnectionManager().routeConfigName())
        .orElse("(none: closed)");
  }

  @Test
  void chainsAreChosenByServerNameAsEnvoyExactThenLongestWildcardThenNone() {
    Listener.Builder listener =
        listener(
                sniChain("exact", "shop.example.com"),
                sniChain("wildcard", "*.example.com"),
                sniChain("deeper", "*.api.example.com"))
            .toBuilder()
            .addListenerFilters(
                io.envoyproxy.envoy.config.listener.v3.ListenerFilter.newBuilder()
                    .setName("envoy.filters.listener.tls_inspector")
                    .setTypedConfig(
                        Any.pack(
                            io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3
                                .TlsInspector.getDefaultInstance())));
    ListenerConfig named = ListenerDecoder.listener(listener.build());

    assertThat(routeOf(named, "shop.example.com")).isEqualTo("exact");
    assertThat(routeOf(named, "SHOP.example.com")).isEqualTo("exact");
    assertThat(routeOf(named, "cart.example.com")).isEqualTo("wildcard");
    assertThat(routeOf(named, "v1.api.example.com")).isEqualTo("deeper");
    // No chain without server names: an unknown SNI, and no SNI at all, match nothing.
    assertThat(routeOf(named, "shop.example.org")).isEqualTo("(none: closed)");
    assertThat(routeOf(named, null)).isEqualTo("(none: closed)");

    ListenerConfig withCatchAll =
        ListenerDecoder.listener(listener.addFilterChains(sniChain("any")).build());
    assertThat(routeOf(withCatchAll, "shop.example.org")).isEqualTo("any");
    assertThat(routeOf(withCatchAll, null)).isEqualTo("any");
    assertThat(routeOf(withCatchAll, "shop.example.com")).isEqualTo("exact");
  }

  @Test
  void serverNamesWithoutTheTlsInspectorAreNacked() {
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(sniChain("r", "shop.example.com"))))
        .hasMessageContaining("server_names without the envoy.filters.listener.tls_inspector");
  }

  @Test
  void filterChainMatchesTheListenerCannotEvaluateAreNacked() {
    FilterChain.Builder sni =
        chain(hcm())
            .setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                    .addApplicationProtocols("h2"));
    FilterChain.Builder quic =
        chain(hcm())
            .setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                    .setTransportProtocol("quic"));

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(sni)))
        .hasMessageContaining("filter_chain_match: [application_protocols] not supported");
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(quic)))
        .hasMessageContaining("transport_protocol 'quic' is not supported");
  }

  @Test
  void twoChainsWithTheSameMatchAreNacked() {
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(hcm()), chain(hcm()))))
        .hasMessageContaining("multiple filter chains with the same matching rules");
  }

  private static RouteConfiguration routeConfig(RouteAction.Builder action) {
    return RouteConfiguration.newBuilder()
        .setName("80")
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName("catalog")
                .addDomains("*")
                .addRoutes(
                    io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                        .setName("default")
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(action)))
        .build();
  }

  @Test
  void aRouteWithIstiosDisabledTimeoutDecodesToARouteAction() {
    Route route =
        RouteDecoder.routes(
                routeConfig(
                    RouteAction.newBuilder()
                        .setCluster("outbound|80||catalog")
                        .setTimeout(Duration.newBuilder().setSeconds(0))))
            .virtualHosts()
            .get(0)
            .routes()
            .get(0);

    assertThat(route.action())
        .isEqualTo(
            dev.meshproof.runtime.policy.route.RouteAction.toCluster("outbound|80||catalog"));
    assertThat(route.action().timeout()).isZero();
    assertThat(route.action().retryPolicy()).isEmpty();
    assertThat(route.action().mirrorPolicies()).isEmpty();
  }

  @Test
  void routeActionFieldsTheRouterDoesNotHonourAreNacked() {
    RouteAction.Builder base =
        RouteAction.newBuilder().setCluster("c").setTimeout(Duration.newBuilder().setSeconds(0));

    assertThatThrownBy(
            () -> RouteDecoder.routes(routeConfig(base.clone().setHostRewriteHeader("x-host"))))
        .hasMessageContaining("host rewrite");
    assertThatThrownBy(
            () ->
                RouteDecoder.routes(
                    routeConfig(
                        base.clone()
                            .setRetryPolicy(
                                io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                                    .setRetryOn("5xx,envoy-ratelimited")))))
        .hasMessageContaining(
            "retry_policy: retry_on 'envoy-ratelimited' not supported by the embedded sidecar");
    assertThatThrownBy(
            () ->
                RouteDecoder.routes(
                    routeConfig(
                        base.clone()
                            .setRetryPolicy(
                                io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                                    .setRetryOn("5xx")
                                    .addRetriableHeaders(
                                        io.envoyproxy.envoy.config.route.v3.HeaderMatcher
                                            .newBuilder()
                                            .setName("x-retry"))))))
        .hasMessageContaining("[retriable_headers] not supported by the embedded sidecar");
  }

  @Test
  void timeoutRetryPolicyAndAttemptCountAreDecodedForTheRouter() {
    RouteConfiguration config =
        RouteConfiguration.newBuilder()
            .setName("outbound")
            .addVirtualHosts(
                io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder()
                    .setName("catalog:80")
                    .addDomains("catalog")
                    .setIncludeRequestAttemptCount(true)
                    .addRoutes(
                        io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
                            .setName("r")
                            .setMatch(
                                io.envoyproxy.envoy.config.route.v3.RouteMatch.newBuilder()
                                    .setPrefix("/"))
                            .setRoute(
                                RouteAction.newBuilder()
                                    .setCluster("c")
                                    .setTimeout(Duration.newBuilder().setNanos(300_000_000))
                                    .setRetryPolicy(
                                        io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                                            .setRetryOn("connect-failure,retriable-status-codes")
                                            .setNumRetries(com.google.protobuf.UInt32Value.of(3))
                                            .addRetriableStatusCodes(503)
                                            .setPerTryTimeout(
                                                Duration.newBuilder().setNanos(100_000_000))
                                            .addRetryHostPredicate(
                                                io.envoyproxy.envoy.config.route.v3.RetryPolicy
                                                    .RetryHostPredicate.newBuilder()
                                                    .setName(
                                                        "envoy.retry_host_predicates.previous_hosts"))
                                            .setHostSelectionRetryMaxAttempts(5)))))
            .build();

    var action = RouteDecoder.routes(config).virtualHosts().get(0).routes().get(0).action();

    assertThat(action.timeout()).isEqualTo(java.time.Duration.ofMillis(300));
    assertThat(action.includeRequestAttemptCount()).isTrue();
    assertThat(action.retryPolicy())
        .contains(
            new dev.meshproof.runtime.policy.retry.RetryPolicy(
                3,
                java.util.Set.of(
                    dev.meshproof.runtime.policy.retry.RetryOn.CONNECT_FAILURE,
                    dev.meshproof.runtime.policy.retry.RetryOn.RETRIABLE_STATUS_CODES),
                java.util.Set.of(503),
                java.util.Optional.of(java.time.Duration.ofMillis(100)),
                true,
                5,
                dev.meshproof.runtime.policy.retry.RetryBackoff.ENVOY_DEFAULT));
  }

  @Test
  void aListenerFilterOrDefaultChainIsNacked() {
    Listener withDefault =
        listener(chain(hcm())).toBuilder().setDefaultFilterChain(chain(hcm())).build();

    assertThatThrownBy(() -> ListenerDecoder.listener(withDefault))
        .hasMessageContaining("default_filter_chain is not supported");
    Listener originalDst =
        listener(chain(hcm())).toBuilder()
            .addListenerFilters(
                io.envoyproxy.envoy.config.listener.v3.ListenerFilter.newBuilder()
                    .setName("envoy.filters.listener.original_dst")
                    .setTypedConfig(
                        com.google.protobuf.Any.pack(
                            io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3
                                .OriginalDst.getDefaultInstance())))
            .build();
    assertThatThrownBy(() -> ListenerDecoder.listener(originalDst))
        .hasMessageContaining("is not supported by the embedded sidecar (expected: ")
        .hasMessageContaining("TlsInspector");
  }

  @Test
  void aFilterChainWithATransportSocketOtherThanDownstreamTlsIsNacked() {
    FilterChain.Builder tls =
        chain(hcm())
            .setTransportSocket(
                io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls"));
    FilterChain.Builder ocsp =
        chain(hcm())
            .setTransportSocket(
                io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls")
                    .setTypedConfig(
                        com.google.protobuf.Any.pack(
                            io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                                .DownstreamTlsContext.newBuilder()
                                .setOcspStaplePolicy(
                                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                                        .DownstreamTlsContext.OcspStaplePolicy.STRICT_STAPLING)
                                .build())));

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(tls)))
        .hasMessageContaining("is not supported by the embedded sidecar (expected: ")
        .hasMessageContaining("DownstreamTlsContext");
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(ocsp)))
        .hasMessageContaining("[ocsp_staple_policy] not supported");
  }

  @Test
  void sdsSecretsOverAdsAreAwaitedIndefinitelyAndAFiniteInitialFetchTimeoutIsNacked() {
    FilterChain.Builder awaited = mtlsChain(Duration.getDefaultInstance());
    FilterChain.Builder finite = mtlsChain(Duration.newBuilder().setSeconds(15).build());

    assertThat(ListenerDecoder.listener(listener(awaited)).filterChains())
        .singleElement()
        .satisfies(c -> assertThat(c.tls()).isPresent());
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(finite)))
        .hasMessageContaining("initial_fetch_timeout PT15S is not supported")
        .hasMessageContaining("expected: 0s");
  }

  /** A chain with istiod's mutual TLS context, its SDS sources at {@code initialFetchTimeout}. */
  private static FilterChain.Builder mtlsChain(Duration initialFetchTimeout) {
    var ads =
        io.envoyproxy.envoy.config.core.v3.ConfigSource.newBuilder()
            .setAds(io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource.getDefaultInstance())
            .setInitialFetchTimeout(initialFetchTimeout);
    var common =
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(
                io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig.newBuilder()
                    .setName("default")
                    .setSdsConfig(ads))
            .setCombinedValidationContext(
                io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext
                    .CombinedCertificateValidationContext.newBuilder()
                    .setDefaultValidationContext(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3
                            .CertificateValidationContext.getDefaultInstance())
                    .setValidationContextSdsSecretConfig(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig
                            .newBuilder()
                            .setName("ROOTCA")
                            .setSdsConfig(ads)));
    return chain(hcm())
        .setTransportSocket(
            io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(
                    com.google.protobuf.Any.pack(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                            .newBuilder()
                            .setCommonTlsContext(common)
                            .build())));
  }

  @Test
  void routerFlagsOnTheHttpFilterEntryAreNacked() {
    HttpConnectionManager.Builder optional =
        hcm().clearHttpFilters().addHttpFilters(ROUTER.toBuilder().setIsOptional(true));

    assertThatThrownBy(() -> ListenerDecoder.listener(listener(chain(optional))))
        .hasMessageContaining("[is_optional] not supported");
  }

  @Test
  void circuitBreakersOutlierDetectionAndPanicThresholdDecodeToPolicies() {
    io.envoyproxy.envoy.config.cluster.v3.Cluster cluster =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName("c")
            .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
            .setConnectTimeout(Duration.newBuilder().setSeconds(10))
            .setCircuitBreakers(
                io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder()
                    .addThresholds(
                        io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds
                            .newBuilder()
                            .setMaxConnections(UInt32Value.of(1))
                            .setMaxPendingRequests(UInt32Value.of(-1))))
            .setOutlierDetection(
                io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
                    .setEnforcingSuccessRate(UInt32Value.of(0))
                    .setConsecutive5Xx(UInt32Value.of(2)))
            .setCommonLbConfig(
                io.envoyproxy.envoy.config.cluster.v3.Cluster.CommonLbConfig.newBuilder()
                    .setHealthyPanicThreshold(
                        io.envoyproxy.envoy.type.v3.Percent.newBuilder().setValue(0)))
            .build();

    ProxyConfig.ClusterConfig decoded = ClusterDecoder.cluster(cluster);

    assertThat(decoded.circuitBreakers().maxConnections()).isEqualTo(1);
    assertThat(decoded.circuitBreakers().maxPendingRequests()).isEqualTo(4294967295L);
    assertThat(decoded.circuitBreakers().maxRequests()).isEqualTo(1024);
    assertThat(decoded.outlierDetection().orElseThrow().consecutive5xx()).isEqualTo(2);
    assertThat(decoded.outlierDetection().orElseThrow().maxEjectionPercent()).isEqualTo(10);
    assertThat(decoded.panicThresholdPercent()).isZero();
  }

  @Test
  void outlierDetectionThatWouldEjectBySuccessRateIsNacked() {
    io.envoyproxy.envoy.config.cluster.v3.Cluster cluster =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName("c")
            .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
            .setOutlierDetection(
                io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder()
                    .setConsecutive5Xx(UInt32Value.of(2)))
            .build();

    assertThatThrownBy(() -> ClusterDecoder.cluster(cluster))
        .hasMessage(
            "cluster c: outlier_detection.enforcing_success_rate 100 (Envoy's default) is not"
                + " supported (expected: 0; the embedded sidecar does not eject by success rate or"
                + " failure percentage)");
  }

  @Test
  void connectTimeoutAndUpstreamHttpProtocolOptionsDecodeToConnectionSettings() {
    var options =
        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
            .setCommonHttpProtocolOptions(
                io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder()
                    .setIdleTimeout(Duration.newBuilder().setSeconds(5))
                    .setMaxRequestsPerConnection(UInt32Value.of(2)))
            .setExplicitHttpConfig(
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                    .ExplicitHttpConfig.newBuilder()
                    .setHttpProtocolOptions(
                        io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions
                            .getDefaultInstance()));
    io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder cluster =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName("c")
            .setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
            .setConnectTimeout(Duration.newBuilder().setNanos(250_000_000))
            .putTypedExtensionProtocolOptions(
                ClusterDecoder.HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()));

    var settings = ClusterDecoder.cluster(cluster.build()).connectionSettings();

    assertThat(settings.connectTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
    assertThat(settings.idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(settings.maxRequestsPerConnection()).hasValue(2);
    assertThat(settings.maxConnectionDuration()).isEmpty();
    // Envoy's 5 s connect timeout and 1 h idle timeout when nothing is set.
    assertThat(
            ClusterDecoder.cluster(
                    cluster.clearConnectTimeout().clearTypedExtensionProtocolOptions().build())
                .connectionSettings())
        .isEqualTo(dev.meshproof.runtime.transport.UpstreamConnectionSettings.ENVOY_DEFAULTS);
    // Options the sidecar would ignore are NACKed.
    options.getCommonHttpProtocolOptionsBuilder().setMaxHeadersCount(UInt32Value.of(10));
    assertThatThrownBy(
            () ->
                ClusterDecoder.cluster(
                    cluster
                        .putTypedExtensionProtocolOptions(
                            ClusterDecoder.HTTP_PROTOCOL_OPTIONS, Any.pack(options.build()))
                        .build()))
        .hasMessageContaining("common_http_protocol_options: [max_headers_count] not supported");
    assertThatThrownBy(
            () ->
                ClusterDecoder.cluster(
                    cluster
                        .clearTypedExtensionProtocolOptions()
                        .putTypedExtensionProtocolOptions("envoy.other", Any.getDefaultInstance())
                        .build()))
        .hasMessageContaining("typed_extension_protocol_options [envoy.other] are not supported");
  }
}
