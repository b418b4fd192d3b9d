package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.SyncState;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When the control plane is down, proxies keep routing by the last configuration they accepted;
 * when it returns, they reconnect and take what was applied meanwhile. Istio's documented behaviour
 * for an istiod outage, proven on both data planes.
 */
class ControlPlaneOutageIT {
  private static Supplier<DataPlane> dataPlane(String name) {
    if (name.equals("envoy")) {
      assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return EnvoyDataPlane::create;
    }
    return DataPlane::embedded;
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "envoy"})
  void proxiesKeepTheLastConfigurationDuringAnOutageAndResyncAfter(String plane) {
    Supplier<DataPlane> dataPlane = dataPlane(plane);
    try (Mesh mesh = Mesh.builder().dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      Workload client = catalog.client();
      mesh.apply(
          CatalogTopology.DESTINATION_RULE + "---\n" + CatalogTopology.allTo("v1"), "catalog.yaml");
      mesh.awaitSynced();
      assertThat(client.http().get("http://catalog/").join().body()).isEqualTo("catalog-v1 /");

      mesh.stopControlPlane();
      mesh.apply(CatalogTopology.allTo("v2"), "catalog-v2.yaml");

      assertThat(client.http().get("http://catalog/during-outage").join().body())
          .isEqualTo("catalog-v1 /during-outage");
      assertThatThrownBy(mesh::awaitSynced).hasMessageContaining("control plane is stopped");

      mesh.startControlPlane();
      mesh.awaitSynced();

      assertThat(client.http().get("http://catalog/after").join().body())
          .isEqualTo("catalog-v2 /after");
      assertThat(mesh.proxyStatus().values())
          .hasSize(3)
          .allSatisfy(
              s -> assertThat(s.types().values()).allMatch(t -> t.state() == SyncState.SYNCED));
    }
  }
}
