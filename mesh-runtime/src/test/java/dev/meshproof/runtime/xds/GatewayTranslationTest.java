package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The gateway translation as istiod's {@code buildGatewayListeners} and {@code
 * buildGatewayHTTPRouteConfig}: listener and route names, the hosts intersection, Gateway binding
 * by {@code gateways} and namespace, {@code exportTo}, the blackhole virtual host, and sidecars
 * unaffected by gateway-only VirtualServices.
 */
class GatewayTranslationTest {
  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "productpage-v1-0",
              "productpage",
              "default",
              Map.of("app", "productpage", "version", "v1"),
              9080,
              loopback(20001)),
          new ServiceInstance(
              "api-v1-0",
              "api",
              "shop",
              Map.of("app", "api", "version", "v1"),
              80,
              loopback(20002)));

  private static final ProxyNode GATEWAY =
      new ProxyNode(
          ProxyIdentity.router(
              "istio-ingressgateway",
              "istio-system",
              Map.of("istio", "ingressgateway"),
              IstioVersion.CURRENT),
          loopback(15001),
          Optional.empty(),
          SidecarScope.everything("istio-system"),
          Map.of(80, loopback(18080), 8080, loopback(18081)));

  private static final ProxyNode SIDECAR =
      new ProxyNode(
          ProxyIdentity.sidecar("client-0", "default", Map.of("app", "c"), IstioVersion.CURRENT),
          loopback(15002),
          Optional.empty());

  private static final String CONFIG =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: public, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*.example.com", "shop/api.internal"]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: other-selector}
      spec:
        selector: {istio: egressgateway}
        servers:
        - port: {number: 8080, name: http, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: books}
      spec:
        hosts: [books.example.com, books.other.org]
        gateways: [istio-system/public]
        http:
        - name: books
          route:
          - destination: {host: productpage, port: {number: 9080}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: wild}
      spec:
        hosts: ["*.example.com", productpage]
        gateways: [istio-system/public, mesh]
        http:
        - name: gateway-only
          match:
          - uri: {prefix: /gw}
            gateways: [istio-system/public]
          route:
          - destination: {host: productpage}
        - name: everyone
          route:
          - destination: {host: productpage}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: api, namespace: shop}
      spec:
        hosts: [api.internal]
        gateways: [istio-system/public]
        http:
        - name: api
          route:
          - destination: {host: api}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: api-elsewhere}
      spec:
        hosts: [api.internal]
        gateways: [istio-system/public]
        http:
        - name: not-from-default
          route:
          - destination: {host: productpage}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: private}
      spec:
        hosts: [private.example.com]
        gateways: [istio-system/public]
        exportTo: [.]
        http:
        - route:
          - destination: {host: productpage}
      """;

  @Test
  void gatewayGetsAListenerAndHttpRouteConfigPerServedPortOnly() {
    Snapshot snapshot = translate(GATEWAY);
    assertThat(listeners(snapshot)).extracting(Listener::getName).containsExactly("0.0.0.0_80");
    Listener listener = listeners(snapshot).get(0);
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(18080);
    HttpConnectionManager hcm = hcm(listener);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("http.80");
    assertThat(hcm.getStatPrefix()).isEqualTo("outbound_0.0.0.0_80");
    assertThat(routes(snapshot)).extracting(RouteConfiguration::getName).containsExactly("http.80");
  }

  @Test
  void virtualHostsAreTheIntersectionOfServerAndVirtualServiceHosts() {
    RouteConfiguration http80 = routes(translate(GATEWAY)).get(0);
    assertThat(http80.getValidateClusters().getValue()).isFalse();
    assertThat(http80.getIgnorePortInHostMatching()).isTrue();
    // books.other.org is outside *.example.com; productpage is no server host; the
    // shop-only host is served for the VirtualService in shop, not for the one in default; the
    // private VirtualService is not exported to istio-system.
    assertThat(http80.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("*.example.com:80", "api.internal:80", "books.example.com:80");
    VirtualHost books = vhost(http80, "books.example.com:80");
    assertThat(books.getDomainsList()).containsExactly("books.example.com");
    assertThat(books.getIncludeRequestAttemptCount()).isTrue();
    assertThat(books.getRoutesList()).extracting(Route::getName).containsExactly("books");
    assertThat(books.getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
    assertThat(vhost(http80, "api.internal:80").getRoutesList())
        .extracting(Route::getName)
        .containsExactly("api");
    assertThat(vhost(http80, "*.example.com:80").getRoutesList())
        .extracting(Route::getName)
        .containsExactly("gateway-only", "everyone");
    Route gatewayOnly = vhost(http80, "*.example.com:80").getRoutes(0);
    assertThat(gatewayOnly.getName()).isEqualTo("gateway-only");
    assertThat(gatewayOnly.getRoute().getCluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
  }

  @Test
  void aPortWithoutBoundVirtualServicesGetsIstiodsBlackholeVirtualHost() {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: lonely}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 8080, name: http, protocol: HTTP}
                hosts: ["*"]
            """,
            "gw.yaml",
            "default"));
    RouteConfiguration http8080 = routes(translate(GATEWAY, config)).get(0);
    assertThat(http8080.getName()).isEqualTo("http.8080");
    assertThat(http8080.getVirtualHostsList())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getName()).isEqualTo("blackhole:8080");
              assertThat(v.getDomainsList()).containsExactly("*");
              assertThat(v.getRoutesList()).isEmpty();
            });
  }

  @Test
  void sidecarsKeepTheirListenersAndSkipGatewayOnlyMatches() {
    Snapshot snapshot = translate(SIDECAR);
    assertThat(listeners(snapshot))
        .extracting(Listener::getName)
        .containsExactly(
            XdsNames.outboundHttpListener(80),
            XdsNames.outboundHttpListener(9080),
            XdsNames.OUTBOUND_LISTENER);
    RouteConfiguration outbound =
        routes(snapshot).stream()
            .filter(r -> r.getName().equals(XdsNames.outboundHttpRoute(9080)))
            .findFirst()
            .orElseThrow();
    // "wild" is bound to the mesh too, but its first match names only the gateway.
    VirtualHost productpage = vhost(outbound, "productpage.default.svc.cluster.local:9080");
    assertThat(productpage.getRoutesList()).extracting(Route::getName).containsExactly("everyone");
  }

  @Test
  void hostsIntersectionKeepsTheMoreSpecificOfEachPair() {
    assertThat(GatewayHosts.intersection(List.of("*"), List.of("a.example.com")))
        .containsExactly("a.example.com");
    assertThat(GatewayHosts.intersection(List.of("*.example.com"), List.of("*")))
        .containsExactly("*.example.com");
    assertThat(GatewayHosts.intersection(List.of("*.example.com"), List.of("example.com")))
        .isEmpty();
    assertThat(GatewayHosts.intersection(List.of("*.example.com"), List.of("*.a.example.com")))
        .containsExactly("*.a.example.com");
    assertThat(GatewayHosts.intersection(List.of("A.Example.com"), List.of("a.example.COM")))
        .containsExactly("a.example.com");
    assertThat(
            GatewayHosts.serverHostsFor(
                List.of("./a.com", "shop/b.com", "*/c.com", "d.com"), "gw", "shop"))
        .containsExactly("b.com", "c.com", "d.com");
    assertThat(GatewayHosts.serverHostsFor(List.of("./a.com"), "gw", "gw"))
        .containsExactly("a.com");
  }

  private static Snapshot translate(ProxyNode proxy) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(CONFIG, "gateway.yaml", "default"));
    return translate(proxy, config);
  }

  private static Snapshot translate(ProxyNode proxy, ConfigStore config) {
    return new Snapshot(
        XdsTranslator.translate(
            TranslationInput.builder(proxy, IstioVersionProfile.current())
                .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
                .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
                .instances(INSTANCES)
                .gateways(config.resourcesInCreationOrder(IstioKinds.GATEWAY))
                .build()));
  }

  @Test
  void policiesSelectingTheGatewayPutJwtAuthnAndRbacOnItsHttpListeners() throws Exception {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(CONFIG, "gateway.yaml", "default"));
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: gateway-jwt, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              jwtRules:
              - issuer: auth@istioinaction.io
                jwks: '{"keys": []}'
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: requires-jwt, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: DENY
              rules:
              - from:
                - source: {notRequestPrincipals: ["*"]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: productpage-only, namespace: default}
            spec:
              selector: {matchLabels: {app: productpage}}
              rules:
              - {}
            """,
            "policies.yaml",
            "default"));
    SecurityInput security =
        new SecurityInput(
            false,
            dev.meshproof.runtime.security.SpiffeId.DEFAULT_TRUST_DOMAIN,
            Optional.empty(),
            "",
            Map.of(),
            List.of(),
            false,
            config.resourcesInCreationOrder(IstioKinds.AUTHORIZATION_POLICY),
            config.resourcesInCreationOrder(IstioKinds.REQUEST_AUTHENTICATION),
            Map.of(),
            List.of());

    for (ProxyNode proxy : List.of(GATEWAY, SIDECAR)) {
      List<Listener> listeners =
          listeners(
              new Snapshot(
                  XdsTranslator.translate(
                      TranslationInput.builder(proxy, IstioVersionProfile.current())
                          .virtualServices(
                              config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
                          .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
                          .instances(INSTANCES)
                          .security(security)
                          .gateways(config.resourcesInCreationOrder(IstioKinds.GATEWAY))
                          .build())));
      assertThat(listeners).isNotEmpty();
      for (Listener listener : listeners) {
        List<String> filters =
            hcm(listener).getHttpFiltersList().stream()
                .map(
                    io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                            .HttpFilter
                        ::getName)
                .toList();
        if (proxy == GATEWAY) {
          // The metadata exchange first (istiod's appendMxFilter), then authn, then authz,
          // before the rest, as on a sidecar's inbound listener.
          assertThat(filters)
              .as(listener.getName())
              .startsWith(
                  ListenerBuilder.METADATA_EXCHANGE_FILTER,
                  JwtAuthnBuilder.FILTER_NAME,
                  RbacFilterBuilder.RBAC_FILTER)
              .containsOnlyOnce(RbacFilterBuilder.RBAC_FILTER);
          var rbac =
              hcm(listener)
                  .getHttpFilters(2)
                  .getTypedConfig()
                  .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class);
          assertThat(rbac.getRules().getPoliciesMap())
              .containsOnlyKeys("ns[istio-system]-policy[requires-jwt]-rule[0]");
        } else {
          // The gateway's policies select only the gateway.
          assertThat(filters)
              .as(listener.getName())
              .doesNotContain(JwtAuthnBuilder.FILTER_NAME, RbacFilterBuilder.RBAC_FILTER);
        }
      }
    }
  }

  /** The translated resources of one proxy. */
  private record Snapshot(io.envoyproxy.controlplane.cache.v3.Snapshot xds) {}

  private static List<Listener> listeners(Snapshot snapshot) {
    return List.copyOf(snapshot.xds().listeners().resources().values());
  }

  private static List<RouteConfiguration> routes(Snapshot snapshot) {
    return List.copyOf(snapshot.xds().routes().resources().values());
  }

  private static VirtualHost vhost(RouteConfiguration config, String name) {
    return config.getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + config));
  }

  private static HttpConnectionManager hcm(Listener listener) {
    try {
      return listener
          .getFilterChains(0)
          .getFilters(0)
          .getTypedConfig()
          .unpack(HttpConnectionManager.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
