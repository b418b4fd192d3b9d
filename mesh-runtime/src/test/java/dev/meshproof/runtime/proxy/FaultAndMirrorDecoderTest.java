package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.policy.fault.FaultPolicy;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import dev.meshproof.runtime.policy.route.MirrorPolicy;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.v3.FractionalPercent.DenominatorType;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The embedded sidecar honours the fault filter and mirror policies istiod emits, NACKs the rest.
 */
class FaultAndMirrorDecoderTest {
  private static final HttpFilter FAULT =
      HttpFilter.newBuilder()
          .setName("envoy.filters.http.fault")
          .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
          .build();
  private static final HttpFilter ROUTER =
      HttpFilter.newBuilder()
          .setName("envoy.filters.http.router")
          .setTypedConfig(Any.pack(Router.getDefaultInstance()))
          .build();

  private static Listener listener(HttpFilter... filters) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStreamIdleTimeout(com.google.protobuf.Duration.getDefaultInstance())
            .setStatPrefix("outbound")
            .setRds(Rds.newBuilder().setRouteConfigName("outbound"));
    for (HttpFilter filter : filters) {
      hcm.addHttpFilters(filter);
    }
    return Listener.newBuilder()
        .setName("virtualOutbound")
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(15001)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm.build()))))
        .build();
  }

  private static io.envoyproxy.envoy.type.v3.FractionalPercent perMillion(int numerator) {
    return io.envoyproxy.envoy.type.v3.FractionalPercent.newBuilder()
        .setNumerator(numerator)
        .setDenominator(DenominatorType.MILLION)
        .build();
  }

  private static RouteTable routes(Route.Builder route) {
    return RouteDecoder.routes(
        RouteConfiguration.newBuilder()
            .setName("outbound")
            .addVirtualHosts(
                VirtualHost.newBuilder().setName("catalog:80").addDomains("*").addRoutes(route))
            .build());
  }

  private static Route.Builder route() {
    return Route.newBuilder()
        .setName("r")
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(RouteAction.newBuilder().setCluster("outbound|80||catalog"));
  }

  @Test
  void istiodsFaultFilterBeforeTheRouterDecodesToAnEmptyFaultAndTheRouter() {
    assertThat(
            ListenerDecoder.listener(listener(FAULT, ROUTER))
                .filterChains()
                .get(0)
                .httpConnectionManager()
                .httpFilters())
        .containsExactly(
            new HttpFilterConfig.Fault(FaultPolicy.NONE), new HttpFilterConfig.Router());
  }

  @Test
  void aFaultFilterAfterTheRouterOrAloneIsNacked() {
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(ROUTER, FAULT)))
        .hasMessageContaining("the router must be the last HTTP filter");
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(FAULT)))
        .hasMessageContaining("does not end with the router");
  }

  @Test
  void headerControlledFaultsAndFaultRestrictionsAreNacked() {
    HttpFilter headerAbort =
        FAULT.toBuilder()
            .setTypedConfig(
                Any.pack(
                    HTTPFault.newBuilder()
                        .setAbort(
                            FaultAbort.newBuilder()
                                .setHeaderAbort(FaultAbort.HeaderAbort.getDefaultInstance()))
                        .build()))
            .build();
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(headerAbort, ROUTER)))
        .hasMessageContaining("http_filters[0] 'envoy.filters.http.fault', abort")
        .hasMessageContaining("header_abort");
    HttpFilter restricted =
        FAULT.toBuilder()
            .setTypedConfig(
                Any.pack(HTTPFault.newBuilder().setUpstreamCluster("outbound|80||x").build()))
            .build();
    assertThatThrownBy(() -> ListenerDecoder.listener(listener(restricted, ROUTER)))
        .hasMessageContaining("upstream_cluster");
  }

  @Test
  void aRoutesFaultDecodesWithItsPercentagesAndAnUnsetOneIsNever() {
    HTTPFault fault =
        HTTPFault.newBuilder()
            .setDelay(
                FaultDelay.newBuilder()
                    .setFixedDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2))
                    .setPercentage(perMillion(100_000)))
            .setAbort(FaultAbort.newBuilder().setGrpcStatus(14))
            .build();
    var decoded =
        routes(route().putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(fault)))
            .virtualHosts()
            .get(0)
            .routes()
            .get(0);

    assertThat(decoded.fault())
        .contains(
            new FaultPolicy(
                Optional.of(
                    new FaultPolicy.Abort(
                        OptionalInt.empty(), OptionalInt.of(14), FractionalPercent.NEVER)),
                Optional.of(
                    new FaultPolicy.Delay(
                        Duration.ofSeconds(2), new FractionalPercent(100_000, 1_000_000)))));
  }

  @Test
  void perFilterConfigForAFilterTheSidecarDoesNotRunIsNacked() {
    assertThatThrownBy(
            () ->
                routes(
                    route()
                        .putTypedPerFilterConfig(
                            "envoy.filters.http.rbac", Any.pack(HTTPFault.getDefaultInstance()))))
        .hasMessageContaining("typed_per_filter_config 'envoy.filters.http.rbac'")
        .hasMessageContaining("not supported by the embedded sidecar");
  }

  @Test
  void mirrorPoliciesDecodeWithTheirFractionAndHostSuffixSetting() {
    RouteAction.Builder action =
        RouteAction.newBuilder()
            .setCluster("outbound|80|v1|catalog")
            .addRequestMirrorPolicies(
                RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster("outbound|80|v2|catalog")
                    .setRuntimeFraction(
                        RuntimeFractionalPercent.newBuilder().setDefaultValue(perMillion(125_000)))
                    .setTraceSampled(BoolValue.of(false))
                    .setDisableShadowHostSuffixAppend(true))
            .addRequestMirrorPolicies(
                RouteAction.RequestMirrorPolicy.newBuilder().setCluster("outbound|80||ratings"));
    var decoded = routes(route().setRoute(action)).virtualHosts().get(0).routes().get(0);

    assertThat(decoded.action().mirrorPolicies())
        .containsExactly(
            new MirrorPolicy(
                "outbound|80|v2|catalog", new FractionalPercent(125_000, 1_000_000), true),
            new MirrorPolicy("outbound|80||ratings", FractionalPercent.ALWAYS, false));
  }

  @Test
  void aMirrorByHeaderOrWithARuntimeKeyIsNacked() {
    RouteAction.Builder byHeader =
        RouteAction.newBuilder()
            .setCluster("c")
            .addRequestMirrorPolicies(
                RouteAction.RequestMirrorPolicy.newBuilder().setClusterHeader("x-mirror"));
    assertThatThrownBy(() -> routes(route().setRoute(byHeader)))
        .hasMessageContaining("request_mirror_policies[0]")
        .hasMessageContaining("cluster_header");
    RouteAction.Builder runtimeKey =
        RouteAction.newBuilder()
            .setCluster("c")
            .addRequestMirrorPolicies(
                RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster("m")
                    .setRuntimeFraction(
                        RuntimeFractionalPercent.newBuilder()
                            .setRuntimeKey("mirror.percent")
                            .setDefaultValue(perMillion(1))));
    assertThatThrownBy(() -> routes(route().setRoute(runtimeKey)))
        .hasMessageContaining("runtime_fraction")
        .hasMessageContaining("runtime_key");
  }
}
