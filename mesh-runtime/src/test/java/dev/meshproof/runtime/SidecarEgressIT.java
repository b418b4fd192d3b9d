package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Sidecar's egress hosts scope what its proxies reach, on both data planes from one translation:
 * the selected client keeps catalog and loses orders (no virtual host: 404 NR), while a proxy the
 * Sidecar does not select still reaches both. Removing the scope (a Sidecar allowing {@code *}/*)
 * brings orders back.
 */
class SidecarEgressIT {

  static Stream<Supplier<DataPlane>> dataPlanes() {
    return Stream.of(DataPlane::embedded, SidecarEgressIT::envoy);
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  private static final String ONLY_CATALOG =
      """
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: client}
      spec:
        workloadSelector: {labels: {app: client}}
        egress:
        - hosts: [./catalog.default.svc.cluster.local]
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void onlyTheEgressHostsOfTheSelectedProxysSidecarAreReachable(Supplier<DataPlane> dataPlane) {
    try (TestApp orders = new TestApp("orders");
        Mesh mesh = Mesh.builder().seed(9).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      mesh.deploy(
          WorkloadSpec.builder("orders-v1-0").serves("orders", 80, orders.address()).build());
      Workload other = mesh.deploy(WorkloadSpec.builder("other-0").label("app", "other").build());
      mesh.awaitSynced();
      assertThat(catalog.client().http().get("http://orders/o").join().status()).isEqualTo(200);

      mesh.apply(ONLY_CATALOG, "sidecar.yaml");
      mesh.awaitSynced();

      assertThat(catalog.client().http().get("http://catalog/c").join().status()).isEqualTo(200);
      assertThat(catalog.client().http().get("http://orders/o").join().status())
          .as("orders is outside the client's egress hosts: ALLOW_ANY's catch-all, no host")
          .isEqualTo(503);
      assertThat(other.http().get("http://orders/o").join().body()).isEqualTo("orders /o");

      mesh.apply(
          ONLY_CATALOG.replace("./catalog.default.svc.cluster.local", "\"*/*\""), "all.yaml");
      mesh.awaitSynced();
      assertThat(catalog.client().http().get("http://orders/o").join().body())
          .isEqualTo("orders /o");
    }
  }
}
