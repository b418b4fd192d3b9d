package dev.meshproof.k8s.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.k8s.Catalogue;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A catalogue scenario on a throwaway k3s cluster with real Istio, where Docker, istioctl and the
 * image tarballs exist (users' machines and CI agents; skipped here, with the reason, as there is
 * no Docker engine).
 */
class K3sKubernetesTargetIT {

  @Test
  void aCatalogueScenarioPassesOnAThrowawayClusterWithRealIstio() {
    K3sThrowawayCluster.Settings settings = K3sThrowawayCluster.Settings.fromSystemProperties();
    Optional<String> unavailable = K3sThrowawayCluster.unavailableReason(settings);
    assumeTrue(unavailable.isEmpty(), () -> unavailable.orElse(""));
    try (K3sKubernetesTarget target = new K3sKubernetesTarget(settings)) {
      ScenarioResult result =
          ScenarioRunner.run(
              Catalogue.scenario("mesh-http-route-weight-90-10.scenario.yaml"), target);
      assertThat(result.status()).as(result::failureSummary).isEqualTo(Status.PASSED);
    }
  }
}
