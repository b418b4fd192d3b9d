package dev.meshproof.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traffic outside and across the registry, one translation on both data planes: a Sidecar's {@code
 * egressProxy} receives the unknown hosts of the proxies it selects (others keep the passthrough,
 * and REGISTRY_ONLY blocks); a VirtualService host with no service behind it is routed by that
 * VirtualService; a DestinationRule not exported to a proxy's namespace gives that proxy none of
 * its subsets.
 */
class RegistryVisibilityIT {

  static Stream<Supplier<DataPlane>> dataPlanes() {
    return Stream.of(DataPlane::embedded, RegistryVisibilityIT::envoy);
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  private static final String EGRESS_PROXY =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: client}
      spec:
        workloadSelector: {labels: {app: client}}
        outboundTrafficPolicy:
          mode: %s
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aSidecarsEgressProxyReceivesTheUnknownHostsOfItsProxies(Supplier<DataPlane> dataPlane) {
    try (TestApp egress = new TestApp("egress");
        Mesh mesh = Mesh.builder().seed(3).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      mesh.deploy(WorkloadSpec.builder("egress-0").serves("egress", 80, egress.address()).build());
      Workload other = mesh.deploy(WorkloadSpec.builder("other-0").label("app", "other").build());
      mesh.apply(
          EGRESS_PROXY.formatted("ALLOW_ANY")
              + """
                  egressProxy:
                    host: egress.default.svc.cluster.local
                    port: {number: 80}
              """,
          "sidecar.yaml");
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      HttpOutcome unknown = catalog.client().http().get("http://api.example.com/v1/x").join();
      soft.assertThat(unknown.status()).as(unknown.body()).isEqualTo(200);
      soft.assertThat(unknown.body()).isEqualTo("egress /v1/x");
      soft.assertThat(unknown.header("x-seen-host")).contains("api.example.com");
      soft.assertThat(catalog.client().http().get("http://catalog/c").join().body())
          .as("a registered host is still routed to its service")
          .startsWith("catalog-");
      HttpOutcome notSelected = other.http().get("http://api.example.com/v1/x").join();
      soft.assertThat(notSelected.status())
          .as("a proxy the Sidecar does not select keeps the passthrough (off loopback: no host)")
          .isEqualTo(503);

      mesh.apply(EGRESS_PROXY.formatted("REGISTRY_ONLY"), "registry-only.yaml");
      mesh.awaitSynced();
      HttpOutcome blocked = catalog.client().http().get("http://api.example.com/v1/x").join();
      soft.assertThat(blocked.status()).as("REGISTRY_ONLY: block_all").isEqualTo(502);
      soft.assertAll();
    }
  }

  private static final String STORE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: store}
      spec:
        hosts: [catalog, store.example.com]
        http:
        - route:
          - destination: {host: catalog, subset: v2}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop}
      spec:
        hosts: [shop.example.com]
        http:
        - route:
          - destination: {host: catalog, subset: v1}
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aVirtualServiceHostWithNoServiceIsRoutedByItsVirtualService(Supplier<DataPlane> dataPlane) {
    try (Mesh mesh = Mesh.builder().seed(4).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      mesh.apply(CatalogTopology.DESTINATION_RULE, "dr.yaml");
      mesh.apply(STORE, "vs.yaml");
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(catalog.client().http().get("http://store.example.com/s").join().body())
          .as("beside a service host")
          .isEqualTo("catalog-v2 /s");
      soft.assertThat(catalog.client().http().get("http://shop.example.com/s").join().body())
          .as("a VirtualService without any service: port 80")
          .isEqualTo("catalog-v1 /s");
      soft.assertThat(catalog.client().http().get("http://catalog/c").join().body())
          .isEqualTo("catalog-v2 /c");
      HttpOutcome unknown = catalog.client().http().get("http://other.example.com/s").join();
      soft.assertThat(unknown.status()).as("a host no VirtualService names").isEqualTo(503);
      soft.assertAll();
    }
  }

  private static final String PRIVATE_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        exportTo: [%s]
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination: {host: catalog, subset: v2}
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aDestinationRuleNotExportedToAProxysNamespaceGivesItNoSubsets(
      Supplier<DataPlane> dataPlane) {
    try (Mesh mesh = Mesh.builder().seed(5).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      Workload web =
          mesh.deploy(WorkloadSpec.builder("web-0").namespace("web").label("app", "web").build());
      mesh.apply(PRIVATE_RULE.formatted("."), "private.yaml");
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(catalog.client().http().get("http://catalog/c").join().body())
          .as("the rule's own namespace")
          .isEqualTo("catalog-v2 /c");
      HttpOutcome noSubset = web.http().get("http://catalog.default/c").join();
      soft.assertThat(noSubset.status())
          .as("web sees the VirtualService but not the rule: its v2 cluster does not exist")
          .isEqualTo(503);
      soft.assertThat(noSubset.header("x-seen-host")).isEmpty();

      mesh.apply(PRIVATE_RULE.formatted("., web"), "exported.yaml");
      mesh.awaitSynced();
      soft.assertThat(web.http().get("http://catalog.default/c").join().body())
          .as("exported to web by name")
          .isEqualTo("catalog-v2 /c");
      soft.assertAll();
    }
  }

  private static final String ROUTES_VS =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog-teapot, namespace: routes}
      spec:
        hosts: [catalog.default.svc.cluster.local]
        http:
        - directResponse: {status: 418}
      """;

  private static final String CLIENT_EGRESS =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: client}
      spec:
        workloadSelector: {labels: {app: client}}
        egress:
        - hosts: [%s]
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aVirtualServiceOutsideTheSidecarsEgressNamespacesDoesNotRouteItsProxies(
      Supplier<DataPlane> dataPlane) {
    try (Mesh mesh = Mesh.builder().seed(6).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      Workload other = mesh.deploy(WorkloadSpec.builder("other-0").label("app", "other").build());
      mesh.apply(ROUTES_VS, "routes.yaml");
      mesh.apply(CLIENT_EGRESS.formatted("\"./*\""), "sidecar.yaml");
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(catalog.client().http().get("http://catalog/c").join().status())
          .as("egress ./* imports no VirtualService of namespace routes: the service's default")
          .isEqualTo(200);
      soft.assertThat(other.http().get("http://catalog/c").join().status())
          .as("a proxy without a Sidecar imports it")
          .isEqualTo(418);

      mesh.apply(
          CLIENT_EGRESS.formatted("\"./*\", routes/catalog.default.svc.cluster.local"), "s2.yaml");
      mesh.awaitSynced();
      soft.assertThat(catalog.client().http().get("http://catalog/c").join().status())
          .as("imported by routes/<host>")
          .isEqualTo(418);
      soft.assertAll();
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aServiceIsVisibleOnlyWhereItsExportToAnnotationExportsIt(Supplier<DataPlane> dataPlane) {
    try (TestApp orders = new TestApp("orders");
        TestApp billing = new TestApp("billing");
        TestApp hidden = new TestApp("hidden");
        Mesh mesh = Mesh.builder().seed(7).dataPlane(dataPlane.get()).start()) {
      mesh.deploy(
          WorkloadSpec.builder("orders-0")
              .serves("orders", 80, orders.address())
              .exportTo(".")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("billing-0")
              .serves("billing", 80, billing.address())
              .exportTo("web")
              .build());
      mesh.deploy(
          WorkloadSpec.builder("hidden-0")
              .serves("hidden", 80, hidden.address())
              .exportTo("~")
              .build());
      Workload local = mesh.deploy(WorkloadSpec.builder("local-0").label("app", "local").build());
      Workload web =
          mesh.deploy(WorkloadSpec.builder("web-0").namespace("web").label("app", "web").build());
      mesh.awaitSynced();
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(local.http().get("http://orders/o").join().body())
          .as("exportTo . : its own namespace")
          .isEqualTo("orders /o");
      soft.assertThat(web.http().get("http://orders.default/o").join().status())
          .as("exportTo . : not web (no virtual host, the passthrough finds no host)")
          .isEqualTo(503);
      soft.assertThat(web.http().get("http://billing.default/b").join().body())
          .as("exportTo web")
          .isEqualTo("billing /b");
      soft.assertThat(local.http().get("http://billing/b").join().status())
          .as("exportTo web: not even its own namespace")
          .isEqualTo(503);
      soft.assertThat(local.http().get("http://hidden/h").join().status())
          .as("exportTo ~: nobody")
          .isEqualTo(503);
      soft.assertAll();
    }
  }
}
