package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyBinary;
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
  private static final String DESTINATION_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  private static String allTo(String subset) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog, subset: %s}
        """
        .formatted(subset);
  }

  private static Supplier<DataPlane> dataPlane(String name) {
    if (name.equals("envoy")) {
      assumeTrue(
          EnvoyBinary.locate().isPresent(), () -> EnvoyBinary.unavailableReason().orElseThrow());
      return EnvoyDataPlane::create;
    }
    return DataPlane::embedded;
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "envoy"})
  void proxiesKeepTheLastConfigurationDuringAnOutageAndResyncAfter(String plane) {
    Supplier<DataPlane> dataPlane = dataPlane(plane);
    try (TestApp v1 = new TestApp("catalog-v1");
        TestApp v2 = new TestApp("catalog-v2");
        Mesh mesh = Mesh.builder().dataPlane(dataPlane.get()).start()) {
      mesh.deploy(
          WorkloadSpec.builder("catalog-v1-0")
              .label("version", "v1")
              .serves("catalog", 80, v1.address())
              .build());
      mesh.deploy(
          WorkloadSpec.builder("catalog-v2-0")
              .label("version", "v2")
              .serves("catalog", 80, v2.address())
              .build());
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.apply(DESTINATION_RULE + "---\n" + allTo("v1"), "catalog.yaml");
      mesh.awaitSynced();
      assertThat(client.http().get("http://catalog/").join().body()).isEqualTo("catalog-v1 /");

      mesh.stopControlPlane();
      mesh.apply(allTo("v2"), "catalog-v2.yaml");

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
