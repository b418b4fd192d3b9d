package dev.meshproof.k8s.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.k8s.Catalogue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests of catalogue scenarios, compared with golden files under {@code
 * src/test/resources/golden/}. Regenerate with {@code -Dmeshproof.golden.update=true} and review
 * the diff.
 */
class KubernetesManifestsGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mesh-http-route-weight-90-10.scenario.yaml",
        "mesh-load-balancer-round-robin.scenario.yaml",
        "chaos-service-errors.scenario.yaml"
      })
  void manifestsMatchTheGoldenFile(String scenarioFile) throws IOException {
    String yaml =
        KubernetesManifests.of(
                Catalogue.scenario(scenarioFile),
                new ManifestOptions(
                    ManifestOptions.DEFAULT_FAKE_SERVICES_IMAGE,
                    ManifestOptions.DEFAULT_TRAFFIC_RUNNER_IMAGE,
                    java.util.Optional.empty(),
                    "IfNotPresent"))
            .toYaml();
    Path golden = GOLDEN.resolve(scenarioFile.replace(".scenario.yaml", ".k8s.yaml"));
    if (Boolean.getBoolean("meshproof.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, yaml, StandardCharsets.UTF_8);
    }
    assertThat(yaml).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Catalog 90/10 canary!",
        "--x--",
        "a-very-long-scenario-name-that-goes-on-and-on-past-the-sixty-three-character-limit",
        "über"
      })
  void namespacesAreDnsLabels(String name) {
    String slug = KubernetesManifests.slug(name);
    assertThat(slug).matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  }

  @org.junit.jupiter.api.Test
  void everyServiceVersionGetsADeploymentAndAServiceAccountAndEachServiceANamedPort() {
    KubernetesManifests m =
        KubernetesManifests.of(
            Catalogue.scenario("mesh-http-route-weight-90-10.scenario.yaml"),
            ManifestOptions.defaults().inNamespace("team-a"));
    List<String> kinds =
        m.generated().stream()
            .map(d -> d.get("kind") + "/" + ((Map<?, ?>) d.get("metadata")).get("name"))
            .toList();
    assertThat(kinds)
        .startsWith("Namespace/team-a")
        .contains(
            "ServiceAccount/catalog-v1",
            "Deployment/catalog-v1",
            "ServiceAccount/catalog-v2",
            "Deployment/catalog-v2",
            "Service/catalog",
            "Deployment/client");
    assertThat(m.istio()).isNotEmpty();
  }
}
