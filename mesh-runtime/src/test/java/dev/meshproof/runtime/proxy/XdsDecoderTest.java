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
    ListenerConfig decoded = XdsDecoder.listener(listener(chain(hcm())));

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
    HttpConnectionManager.Builder withFault =
        hcm()
            .clearHttpFilters()
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.fault")
                    .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
            .addHttpFilters(ROUTER);

    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(withFault))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http_filters[0] 'envoy.filters.http.fault'")
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

    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(misnamed))))
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

    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(tuned))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[suppress_envoy_headers] not supported");
  }

  @Test
  void aRouterThatIsNotTheLastFilterOrNoFilterAtAllIsNacked() {
    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(hcm().addHttpFilters(ROUTER)))))
        .hasMessageContaining("the router must be the last HTTP filter");
    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(hcm().clearHttpFilters()))))
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

    ListenerConfig decoded = XdsDecoder.listener(listener(any, onPort));

    assertThat(decoded.filterChains().get(1).match())
        .isEqualTo(new FilterChainMatch(OptionalInt.of(9080), Optional.of("raw_buffer")));
    assertThat(decoded.filterChainFor(9080, "raw_buffer").orElseThrow().match().destinationPort())
        .hasValue(9080);
    assertThat(decoded.filterChainFor(15001, "raw_buffer").orElseThrow().match())
        .isEqualTo(FilterChainMatch.ANY);
  }

  @Test
  void filterChainMatchesTheListenerCannotEvaluateAreNacked() {
    FilterChain.Builder sni =
        chain(hcm())
            .setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                    .addServerNames("reviews.default.svc.cluster.local"));
    FilterChain.Builder tls =
        chain(hcm())
            .setFilterChainMatch(
                io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder()
                    .setTransportProtocol("tls"));

    assertThatThrownBy(() -> XdsDecoder.listener(listener(sni)))
        .hasMessageContaining("filter_chain_match: [server_names] not supported");
    assertThatThrownBy(() -> XdsDecoder.listener(listener(tls)))
        .hasMessageContaining("transport_protocol 'tls' is not supported");
  }

  @Test
  void twoChainsWithTheSameMatchAreNacked() {
    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(hcm()), chain(hcm()))))
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
        XdsDecoder.routes(
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
            () ->
                XdsDecoder.routes(
                    routeConfig(base.clone().setTimeout(Duration.newBuilder().setSeconds(3)))))
        .hasMessageContaining("timeout 3s is not supported");
    assertThatThrownBy(() -> XdsDecoder.routes(routeConfig(base.clone().clearTimeout())))
        .hasMessageContaining("timeout unset is not supported");
    assertThatThrownBy(
            () -> XdsDecoder.routes(routeConfig(base.clone().setHostRewriteLiteral("other"))))
        .hasMessageContaining("host rewrite");
    assertThatThrownBy(
            () ->
                XdsDecoder.routes(
                    routeConfig(
                        base.clone()
                            .setRetryPolicy(
                                io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                                    .setRetryOn("5xx")))))
        .hasMessageContaining("retry, mirror, rewrite and hash policies are not supported");
  }

  @Test
  void aListenerFilterOrDefaultChainIsNacked() {
    Listener withDefault =
        listener(chain(hcm())).toBuilder().setDefaultFilterChain(chain(hcm())).build();

    assertThatThrownBy(() -> XdsDecoder.listener(withDefault))
        .hasMessageContaining("default_filter_chain and listener_filters are not supported");
  }

  @Test
  void aFilterChainWithATransportSocketIsNacked() {
    FilterChain.Builder tls =
        chain(hcm())
            .setTransportSocket(
                io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.tls"));

    assertThatThrownBy(() -> XdsDecoder.listener(listener(tls)))
        .hasMessageContaining("[transport_socket] not supported");
  }

  @Test
  void routerFlagsOnTheHttpFilterEntryAreNacked() {
    HttpConnectionManager.Builder optional =
        hcm().clearHttpFilters().addHttpFilters(ROUTER.toBuilder().setIsOptional(true));

    assertThatThrownBy(() -> XdsDecoder.listener(listener(chain(optional))))
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

    ProxyConfig.ClusterConfig decoded = XdsDecoder.cluster(cluster);

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

    assertThatThrownBy(() -> XdsDecoder.cluster(cluster))
        .hasMessage(
            "cluster c: outlier_detection.enforcing_success_rate 100 (Envoy's default) is not"
                + " supported (expected: 0; the embedded sidecar does not eject by success rate or"
                + " failure percentage)");
  }
}
