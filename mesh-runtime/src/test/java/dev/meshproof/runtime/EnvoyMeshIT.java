package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.SyncState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same control plane and translation, with real Envoy processes as the sidecars. */
class EnvoyMeshIT {

  @BeforeAll
  static void requireEnvoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
  }

  @Test
  void envoyAcksOurTranslationAndRoutesByHeaderThroughTwoEnvoys() {
    try (Mesh mesh = Mesh.builder().dataPlane(EnvoyDataPlane.create()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      Workload client = catalog.client();
      mesh.apply(
          CatalogTopology.DESTINATION_RULE + "---\n" + CatalogTopology.JASON_TO_V2, "catalog.yaml");
      mesh.awaitSynced();

      HttpOutcome jason =
          client
              .http()
              .send(HttpRequestSpec.get("http://catalog/items").withHeader("end-user", "jason"))
              .join();
      HttpOutcome anyone = client.http().get("http://catalog/items").join();

      assertThat(jason.body()).isEqualTo("catalog-v2 /items");
      assertThat(anyone.body()).isEqualTo("catalog-v1 /items");
      assertThat(jason.header("x-envoy-upstream-service-time")).isPresent();
      assertThat(mesh.proxyStatus().values())
          .allSatisfy(
              s -> assertThat(s.types().values()).allMatch(t -> t.state() == SyncState.SYNCED));
      assertThat(client.sidecar().configDump())
          .contains("outbound|80|v2|catalog.default.svc.cluster.local");
    }
    assertThat(EnvoyDataPlane.liveProcesses()).isZero();
    assertThat(envoyDescendants()).isZero();
  }

  /** Envoy processes among this JVM's descendants, as the OS sees them. */
  private static long envoyDescendants() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/envoy")).orElse(false))
        .count();
  }

  @Test
  void aRegexThatIsNotRe2IsRejectedAtApplyBeforeEnvoySeesIt() {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh = Mesh.builder().dataPlane(EnvoyDataPlane.create()).start()) {
      mesh.deploy(WorkloadSpec.builder("reviews-0").serves("reviews", 80, app.address()).build());
      // Rejected where it is written (Istio's webhook does the same); the data planes' own
      // NACK of such a regex stays as defence in depth (XdsDecoderRegexTest).
      assertThatThrownBy(
              () ->
                  mesh.apply(
                      """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: reviews}
          spec:
            hosts: [reviews]
            http:
            - match:
              - uri: {regex: "/(?=admin).*"}
              route:
              - destination: {host: reviews}
          """,
                      "reviews-vs.yaml"))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining(
              "reviews-vs.yaml:8:20: spec.http[0].match[0].uri.regex: regex '/(?=admin).*' is"
                  + " not valid RE2: invalid perl operator: (?=");
      mesh.awaitSynced(); // nothing was applied, so nothing is NACKed
    }
    assertThat(EnvoyDataPlane.liveProcesses()).isZero();
    assertThat(envoyDescendants()).isZero();
  }
}
