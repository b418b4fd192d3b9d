package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code exportTo} decides which proxies see a VirtualService, and istiod's order among those a
 * proxy sees (private, exported to its namespace, public; then the oldest) decides which one routes
 * a host.
 */
class ExportToTranslationTest {
  private static final List<ServiceInstance> CATALOG =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "default",
              Map.of("version", "v1"),
              80,
              new InetSocketAddress("127.0.0.1", 20001)));

  private static String vs(String name, String namespace, String exportTo, String routeName) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [catalog.default.svc.cluster.local]
          %s
          http:
          - name: %s
            route:
            - destination: {host: catalog.default.svc.cluster.local}
        ---
        """
        .formatted(name, namespace, exportTo, routeName);
  }

  /** The route name serving catalog for a client proxy in {@code namespace}. */
  private static String routeFor(String namespace, String yaml) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "vs.yaml", "default"));
    ProxyNode client =
        new ProxyNode(
            ProxyIdentity.sidecar(
                "client-0", namespace, Map.of("app", "client"), IstioVersion.CURRENT),
            new InetSocketAddress("127.0.0.1", 15001),
            Optional.empty());
    RouteConfiguration outbound =
        XdsTranslator.translate(
                TranslationInput.builder(client, IstioVersionProfile.current())
                    .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
                    .instances(CATALOG)
                    .build())
            .routes()
            .resources()
            .get(XdsNames.outboundHttpRoute(80));
    VirtualHost host =
        outbound.getVirtualHostsList().stream()
            .filter(v -> v.getName().startsWith("catalog."))
            .findFirst()
            .orElseThrow();
    return host.getRoutes(0).getName();
  }

  @Test
  void aPrivateVirtualServiceIsSeenOnlyInItsNamespace() {
    String yaml = vs("catalog", "default", "exportTo: [\".\"]", "private");

    assertThat(routeFor("default", yaml)).isEqualTo("private");
    assertThat(routeFor("other", yaml)).isEqualTo("default");
  }

  @Test
  void aVirtualServiceExportedToNamespacesIsSeenThereOnly() {
    String yaml = vs("catalog", "default", "exportTo: [other]", "exported");

    assertThat(routeFor("other", yaml)).isEqualTo("exported");
    assertThat(routeFor("third", yaml)).isEqualTo("default");
    assertThat(routeFor("default", yaml)).isEqualTo("default");
  }

  @Test
  void theProxysOwnNamespaceWinsOverAnOlderPublicVirtualService() {
    String yaml =
        vs("public", "default", "", "public")
            + vs("consumer", "other", "exportTo: [\".\"]", "consumer-override");

    assertThat(routeFor("other", yaml)).isEqualTo("consumer-override");
    assertThat(routeFor("default", yaml)).isEqualTo("public");
    assertThat(routeFor("third", yaml)).isEqualTo("public");
  }

  @Test
  void aServiceEntryIsInTheXdsOfProxiesInTheNamespacesItIsExportedToOnly() {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: private-api, namespace: shop}
            spec:
              hosts: [api.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 127.0.0.1, ports: {http: 20009}}]
              exportTo: [".", ops]
            """,
            "se.yaml",
            "default"));
    List<ServiceInstance> instances =
        dev.meshproof.runtime.registry.ServiceEntryInstances.of(
            config.resources(IstioKinds.SERVICE_ENTRY), List.of());
    for (String namespace : List.of("shop", "ops", "default")) {
      ProxyNode client =
          new ProxyNode(
              ProxyIdentity.sidecar("client-0", namespace, Map.of(), IstioVersion.CURRENT),
              new InetSocketAddress("127.0.0.1", 15001),
              Optional.empty());
      var snapshot =
          XdsTranslator.translate(
              TranslationInput.builder(client, IstioVersionProfile.current())
                  .instances(instances)
                  .build());
      boolean sees = namespace.equals("shop") || namespace.equals("ops");
      assertThat(snapshot.clusters().resources().keySet())
          .as("clusters of a proxy in %s", namespace)
          .is(
              new org.assertj.core.api.Condition<>(
                  names -> names.contains("outbound|80||api.example.com") == sees,
                  sees ? "holding the entry's cluster" : "without the entry's cluster"));
      assertThat(
              snapshot
                  .routes()
                  .resources()
                  // No route configuration 80 at all where no HTTP service on 80 is visible.
                  .getOrDefault(
                      XdsNames.outboundHttpRoute(80), RouteConfiguration.getDefaultInstance())
                  .getVirtualHostsList())
          .extracting(VirtualHost::getName)
          .as("virtual hosts of a proxy in %s", namespace)
          .matches(names -> names.contains("api.example.com:80") == sees);
    }
  }
}
