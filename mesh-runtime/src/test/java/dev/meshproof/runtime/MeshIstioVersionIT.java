package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.ProxyStatus;
import org.junit.jupiter.api.Test;

/**
 * The Istio release is an input of the mesh: the control plane translates with its profile, and
 * both data planes report it in their node metadata, as the control plane sees it.
 */
class MeshIstioVersionIT {

  @Test
  void embeddedSidecarsReportTheSelectedIstioVersion() {
    assertProxiesReport(DataPlane.embedded(), IstioVersion.of("1.28"), "1.28.0");
  }

  @Test
  void envoySidecarsReportTheSelectedIstioVersion() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    assertProxiesReport(EnvoyDataPlane.create(), IstioVersion.of("1.28"), "1.28.0");
  }

  @Test
  void aMeshDefaultsToTheCurrentRelease() {
    assertProxiesReport(DataPlane.embedded(), IstioVersion.CURRENT, "1.32.0");
  }

  private static void assertProxiesReport(
      DataPlane dataPlane, IstioVersion selected, String reported) {
    Mesh.Builder builder = Mesh.builder().dataPlane(dataPlane);
    if (!selected.equals(IstioVersion.CURRENT)) {
      builder.istioVersion(selected);
    }
    try (Mesh mesh = builder.start();
        TestApp app = new TestApp("catalog")) {
      mesh.deploy(WorkloadSpec.builder("catalog-0").serves("catalog", 80, app.address()).build());
      mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.awaitSynced();

      assertThat(mesh.istio().version()).isEqualTo(selected);
      assertThat(mesh.controlPlane().profile()).isEqualTo(mesh.istio());
      assertThat(mesh.proxyStatus().values())
          .hasSize(2)
          .extracting(ProxyStatus::istioVersion)
          .allSatisfy(v -> assertThat(v).contains(reported));
    }
  }
}
