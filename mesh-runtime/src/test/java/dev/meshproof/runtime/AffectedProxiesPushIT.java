package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.ProxyStatus;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A push translates only the proxies a change affects (istiod's {@code ProxyNeedsPush}): a
 * VirtualService exported to one namespace, or outside a proxy's Sidecar egress hosts, leaves the
 * other proxies untranslated with the very snapshot they held, while the proxies that see it get
 * the new routes and use them. On our sidecar and on Envoy.
 */
class AffectedProxiesPushIT {

  static Stream<Arguments> dataPlanes() {
    return Stream.of(
        Arguments.of("embedded", (Supplier<DataPlane>) DataPlane::embedded),
        Arguments.of("envoy", (Supplier<DataPlane>) AffectedProxiesPushIT::envoy));
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  /** Routes every request for catalog in namespace {@code ns} to a fault abort with 418. */
  private static String abortFor(String ns, String exportTo) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog-abort, namespace: %s}
        spec:
          hosts: [catalog.%s.svc.cluster.local]
          exportTo: [%s]
          http:
          - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
            route:
            - destination: {host: catalog.%s.svc.cluster.local}
        """
        .formatted(ns, ns, exportTo, ns);
  }

  private static final String SCOPED_TO_OWN_NAMESPACE =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: own-only, namespace: scoped}
      spec:
        egress:
        - hosts: ["./*"]
      """;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataPlanes")
  void aChangeIsTranslatedOnlyForTheProxiesThatSeeIt(String name, Supplier<DataPlane> dataPlane) {
    try (TestApp app = new TestApp("catalog");
        Mesh mesh = Mesh.builder().seed(5).dataPlane(dataPlane.get()).start()) {
      mesh.deploy(
          WorkloadSpec.builder("catalog-0")
              .namespace("shop")
              .serves("catalog", 80, app.address())
              .build());
      Workload shopClient = mesh.deploy(WorkloadSpec.builder("client-0").namespace("shop").build());
      Workload otherClient =
          mesh.deploy(WorkloadSpec.builder("client-0").namespace("other").build());
      Workload scopedClient =
          mesh.deploy(WorkloadSpec.builder("client-0").namespace("scoped").build());
      mesh.apply(SCOPED_TO_OWN_NAMESPACE, "sidecar.yaml");
      mesh.awaitSynced();
      String catalog = "http://catalog.shop.svc.cluster.local/";
      assertThat(shopClient.http().get(catalog).join().status()).isEqualTo(200);
      assertThat(otherClient.http().get(catalog).join().status()).isEqualTo(200);
      Map<String, ProxyStatus> before = mesh.proxyStatus();
      long translations = mesh.controlPlane().pushStats().proxyTranslations();

      // Exported to its own namespace only: the catalog's and the shop client's proxies see it.
      mesh.apply(abortFor("shop", "\".\""), "abort.yaml");
      mesh.awaitSynced();
      Map<String, ProxyStatus> after = mesh.proxyStatus();

      assertThat(mesh.controlPlane().pushStats().proxyTranslations() - translations)
          .as("proxies translated: the two of namespace shop")
          .isEqualTo(2);
      String shop = shopClient.sidecar().proxyId();
      assertThat(after.get(shop).types().get("RDS").sentVersion())
          .isNotEqualTo(before.get(shop).types().get("RDS").sentVersion());
      for (Workload unaffected : java.util.List.of(otherClient, scopedClient)) {
        String id = unaffected.sidecar().proxyId();
        assertThat(after.get(id).snapshotVersion())
            .as(id + " keeps its snapshot")
            .isEqualTo(before.get(id).snapshotVersion());
        assertThat(after.get(id).synced()).isTrue();
      }
      assertThat(shopClient.http().get(catalog).join().status()).isEqualTo(418);
      assertThat(otherClient.http().get(catalog).join().status()).isEqualTo(200);

      // Exported everywhere: every proxy that sees catalog is translated, but not the one whose
      // Sidecar keeps it to its own namespace.
      translations = mesh.controlPlane().pushStats().proxyTranslations();
      before = mesh.proxyStatus();
      mesh.apply(abortFor("shop", "\"*\""), "abort.yaml");
      mesh.awaitSynced();
      after = mesh.proxyStatus();
      assertThat(mesh.controlPlane().pushStats().proxyTranslations() - translations)
          .as("proxies translated: all but the scoped one")
          .isEqualTo(3);
      String scoped = scopedClient.sidecar().proxyId();
      assertThat(after.get(scoped).snapshotVersion())
          .isEqualTo(before.get(scoped).snapshotVersion());
      assertThat(otherClient.http().get(catalog).join().status()).isEqualTo(418);
    }
  }
}
