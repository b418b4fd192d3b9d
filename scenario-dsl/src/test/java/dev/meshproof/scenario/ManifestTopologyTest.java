package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.topology.Topology;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubernetes manifests as a scenario's services: versions, ports and service accounts. */
class ManifestTopologyTest {

  @Test
  void bookinfoDeploymentsPassTheirServiceAccountsToTheirVersions() {
    ManifestTopology.Result result =
        ManifestTopology.of(
            Topology.fromManifests(
                Path.of("src/test/resources/scenario-files/bookinfo/bookinfo.yaml")));

    ServiceSpec reviews =
        result.services().stream()
            .filter(s -> s.name().equals("reviews"))
            .findFirst()
            .orElseThrow();
    assertThat(reviews.serviceAccountByVersion())
        .isEqualTo(
            Map.of("v1", "bookinfo-reviews", "v2", "bookinfo-reviews", "v3", "bookinfo-reviews"));
    assertThat(reviews.serviceAccount("v1")).isEqualTo("bookinfo-reviews");
    // A version the manifests do not name runs as Kubernetes' default account.
    assertThat(new ServiceSpec("catalog", 80, Map.of("v1", 1)).serviceAccount("v1"))
        .isEqualTo("default");
  }
}
