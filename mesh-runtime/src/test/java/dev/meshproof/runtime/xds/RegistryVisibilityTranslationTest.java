package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.Sidecar;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What istiod puts in a sidecar's xDS for traffic outside or across the registry: the {@code
 * PassthroughCluster}'s protocol options and stat name, a Sidecar's {@code egressProxy} in the
 * catch-all, virtual hosts for VirtualService hosts with no service behind them, and which
 * DestinationRule a proxy finds under {@code exportTo}.
 */
class RegistryVisibilityTranslationTest {
  private static final List<ServiceInstance> SERVICES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "shop",
              Map.of("version", "v1"),
              80,
              new InetSocketAddress("127.0.0.1", 20001)),
          new ServiceInstance(
              "catalog-v2-0",
              "catalog",
              "shop",
              Map.of("version", "v2"),
              80,
              new InetSocketAddress("127.0.0.1", 20002)),
          new ServiceInstance(
              "egress-0",
              "egress",
              "shop",
              Map.of(),
              80,
              new InetSocketAddress("127.0.0.1", 20003)),
          new ServiceInstance(
              "orders-0",
              "orders",
              "shop",
              Map.of(),
              9080,
              new InetSocketAddress("127.0.0.1", 20004)));

  private static ConfigStore config(String yaml) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "config.yaml", "shop"));
    return config;
  }

  private static Snapshot translate(String namespace, String yaml) {
    ConfigStore config = config(yaml);
    List<Sidecar> sidecars = config.resourcesInCreationOrder(IstioKinds.SIDECAR);
    ProxyNode client =
        new ProxyNode(
                ProxyIdentity.sidecar(
                    "client-0", namespace, Map.of("app", "client"), IstioVersion.CURRENT),
                new InetSocketAddress("127.0.0.1", 15001),
                Optional.empty())
            .withScope(SidecarScope.forProxy(namespace, Map.of("app", "client"), sidecars));
    return XdsTranslator.translate(
        TranslationInput.builder(client, IstioVersionProfile.current())
            .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
            .destinationRules(config.resourcesInCreationOrder(IstioKinds.DESTINATION_RULE))
            .instances(SERVICES)
            .build());
  }

  private static RouteConfiguration outbound(Snapshot snapshot) {
    return snapshot.routes().resources().get(XdsNames.outboundHttpRoute(80));
  }

  private static VirtualHost vhost(Snapshot snapshot, String name) {
    return outbound(snapshot).getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name));
  }

  @Test
  void thePassthroughClusterIsBuiltAsIstiodBuildsIt() throws Exception {
    Snapshot snapshot = translate("shop", "");
    Cluster passthrough = snapshot.clusters().resources().get(XdsNames.PASSTHROUGH_CLUSTER);
    assertThat(passthrough.getAltStatName()).isEqualTo("PassthroughCluster;");
    HttpProtocolOptions options =
        passthrough
            .getTypedExtensionProtocolOptionsOrThrow(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(HttpProtocolOptions.class);
    assertThat(options.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds()).isEqualTo(300);
    assertThat(options.getUseDownstreamProtocolConfig().hasHttpProtocolOptions()).isTrue();
    assertThat(options.getUseDownstreamProtocolConfig().hasHttp2ProtocolOptions()).isTrue();
    assertThat(snapshot.clusters().resources().get(XdsNames.BLACKHOLE_CLUSTER).getAltStatName())
        .isEqualTo("BlackHoleCluster;");
  }

  private static final String EGRESS_PROXY =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: shop}
      spec:
        outboundTrafficPolicy:
          mode: %s
          egressProxy:
            host: egress.shop.svc.cluster.local
            port: {number: 80}
      """;

  @Test
  void anEgressProxyTakesThePassthroughsPlaceInTheCatchAllOfTheProxiesItsSidecarSelects() {
    VirtualHost shop = vhost(translate("shop", EGRESS_PROXY.formatted("ALLOW_ANY")), "allow_any");
    assertThat(shop.getRoutesList()).hasSize(1);
    assertThat(shop.getRoutes(0).getMatch().getPrefix()).isEqualTo("/");
    assertThat(shop.getRoutes(0).getMatch().getHeadersList()).isEmpty();
    assertThat(shop.getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|80||egress.shop.svc.cluster.local");
    assertThat(shop.getRoutes(0).getRoute().hasRetryPolicy()).isFalse();
    assertThat(shop.getRoutes(0).getRoute().getTimeout().getSeconds()).isZero();

    // A proxy of another namespace: the Sidecar does not apply, the passthrough stays.
    VirtualHost web = vhost(translate("web", EGRESS_PROXY.formatted("ALLOW_ANY")), "allow_any");
    assertThat(web.getRoutes(0).getRoute().getCluster()).isEqualTo(XdsNames.PASSTHROUGH_CLUSTER);
  }

  @Test
  void anEgressProxyIsRejectedOutsideAllowAnyAndWithoutAPortAsTheWebhookRejectsIt() {
    assertThatThrownBy(() -> config(EGRESS_PROXY.formatted("REGISTRY_ONLY")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("egressProxy must be set only with ALLOW_ANY")
        .hasMessageContaining("config.yaml:");
    assertThatThrownBy(
            () -> config(EGRESS_PROXY.formatted("ALLOW_ANY").replace("mode: ALLOW_ANY", "")))
        .as("no mode is REGISTRY_ONLY, the proto's zero value")
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("egressProxy must be set only with ALLOW_ANY");
    assertThatThrownBy(
            () -> config(EGRESS_PROXY.formatted("ALLOW_ANY").replace("port: {number: 80}", "")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("egress_proxy port must be non-nil");
  }

  @Test
  void aWrittenOutboundTrafficPolicyWithoutModeIsRegistryOnly() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: shop}
        spec:
          outboundTrafficPolicy: {}
        """;
    assertThat(outbound(translate("shop", yaml)).getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .contains("block_all")
        .doesNotContain("allow_any");
  }

  private static final String BOOKINFO_COM =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: %s, namespace: shop}
      spec:
        hosts: [%s]
        http:
        - name: to-catalog
          route:
          - destination: {host: catalog.shop.svc.cluster.local}
      """;

  @Test
  void aVirtualServiceHostWithoutAServiceGetsAVirtualHostOnItsServicesPort() {
    Snapshot snapshot =
        translate("shop", BOOKINFO_COM.formatted("store", "catalog, store.example.com"));
    VirtualHost store = vhost(snapshot, "store.example.com:80");
    assertThat(store.getDomainsList()).containsExactly("store.example.com");
    assertThat(store.getRoutes(0).getName()).isEqualTo("to-catalog");
    assertThat(store.getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|80||catalog.shop.svc.cluster.local");
    assertThat(store.getIncludeRequestAttemptCount()).isTrue();
  }

  @Test
  void aVirtualServiceWithNoServiceAtAllGetsItsVirtualHostOnPort80Only() {
    Snapshot snapshot = translate("shop", BOOKINFO_COM.formatted("store", "store.example.com"));
    assertThat(vhost(snapshot, "store.example.com:80").getDomainsList())
        .containsExactly("store.example.com");

    // Not exported to the proxy's namespace: no virtual host.
    String privateVs = BOOKINFO_COM.formatted("store", "store.example.com") + "  exportTo: [.]\n";
    assertThat(outbound(translate("web", privateVs)).getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .doesNotContain("store.example.com:80");
  }

  private static final String CATALOG_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog, namespace: shop}
      spec:
        host: catalog.shop.svc.cluster.local
        %s
        subsets:
        - {name: v1, labels: {version: v1}}
      """;

  private static List<String> clusterNames(Snapshot snapshot) {
    return List.copyOf(snapshot.clusters().resources().keySet());
  }

  @Test
  void aDestinationRuleIsFoundOnlyWhereItsExportToReaches() {
    String subset = "outbound|80|v1|catalog.shop.svc.cluster.local";
    assertThat(clusterNames(translate("web", CATALOG_RULE.formatted("")))).contains(subset);
    assertThat(clusterNames(translate("web", CATALOG_RULE.formatted("exportTo: [\"*\"]"))))
        .contains(subset);
    assertThat(clusterNames(translate("web", CATALOG_RULE.formatted("exportTo: [web]"))))
        .contains(subset);
    assertThat(clusterNames(translate("web", CATALOG_RULE.formatted("exportTo: [.]"))))
        .as("private to shop")
        .doesNotContain(subset);
    assertThat(clusterNames(translate("web", CATALOG_RULE.formatted("exportTo: [other]"))))
        .doesNotContain(subset);
    assertThat(clusterNames(translate("shop", CATALOG_RULE.formatted("exportTo: [.]"))))
        .as("the rule's own namespace")
        .contains(subset);
    assertThat(clusterNames(translate("shop", CATALOG_RULE.formatted("exportTo: [other]"))))
        .as("exported elsewhere only: not even its own namespace finds it")
        .doesNotContain(subset);
  }

  @Test
  void theProxysOwnNamespacesRuleWinsOverTheServiceNamespacesExportedOne() {
    String web =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: catalog-for-web, namespace: web}
        spec:
          host: catalog.shop.svc.cluster.local
          subsets:
          - {name: web-only, labels: {version: v2}}
        """;
    List<String> clusters = clusterNames(translate("web", CATALOG_RULE.formatted("") + web));
    assertThat(clusters)
        .contains("outbound|80|web-only|catalog.shop.svc.cluster.local")
        .doesNotContain("outbound|80|v1|catalog.shop.svc.cluster.local");
    List<String> shop = clusterNames(translate("shop", CATALOG_RULE.formatted("") + web));
    assertThat(shop)
        .contains("outbound|80|v1|catalog.shop.svc.cluster.local")
        .doesNotContain("outbound|80|web-only|catalog.shop.svc.cluster.local");
  }

  @Test
  void exportToOfADestinationRuleIsValidatedAsTheWebhookValidatesIt() {
    assertThatThrownBy(() -> config(CATALOG_RULE.formatted("exportTo: [\"~\"]")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("exportTo");
    DestinationRule rule =
        (DestinationRule)
            IstioYamlParser.parse(CATALOG_RULE.formatted("exportTo: [., web]"), "dr.yaml", "shop")
                .get(0);
    assertThat(rule.exportTo()).containsExactly(".", "web");
  }
}
