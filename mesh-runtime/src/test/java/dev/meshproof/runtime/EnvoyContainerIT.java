package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.SyncState;
import org.junit.jupiter.api.Test;

/**
 * Envoy in a container is the same envoy target: it takes its configuration over ADS from the
 * control plane on loopback, binds its listeners on the host's loopback and routes to the apps
 * there. Runs where a Docker engine is reachable; skipped with the reason elsewhere.
 */
class EnvoyContainerIT {

  @Test
  void aContainerisedEnvoyAcksOurTranslationAndRoutesOnLoopback() {
    assumeTrue(
        EnvoyDataPlane.containerUnavailableReason().isEmpty(),
        () -> EnvoyDataPlane.containerUnavailableReason().orElseThrow());
    try (Mesh mesh = Mesh.builder().dataPlane(EnvoyDataPlane.container()).start();
        TestApp app = new TestApp("catalog")) {
      mesh.deploy(WorkloadSpec.builder("catalog-0").serves("catalog", 80, app.address()).build());
      var client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.awaitSynced();

      HttpOutcome outcome = client.http().get("http://catalog/items").join();

      assertThat(outcome.status()).isEqualTo(200);
      assertThat(outcome.header("x-envoy-upstream-service-time")).isPresent();
      assertThat(mesh.proxyStatus().values())
          .allSatisfy(
              s -> assertThat(s.types().values()).allMatch(t -> t.state() == SyncState.SYNCED));
    }
  }
}
