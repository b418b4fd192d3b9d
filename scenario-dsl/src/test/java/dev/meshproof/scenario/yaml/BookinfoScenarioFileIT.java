package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.ServiceSpec;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Targets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A scenario file whose topology is Bookinfo's own Kubernetes manifest ({@code topology:
 * {manifests: [bookinfo.yaml]}}), read by {@link ScenarioYaml} and run on the embedded mesh: the
 * sample's 80/20 reviews canary, judged by a chi-square goodness of fit at alpha 1e-6.
 */
class BookinfoScenarioFileIT {
  private static final Path FILE =
      Path.of("src/test/resources/scenario-files/bookinfo/bookinfo-reviews-80-20.scenario.yaml");

  @Test
  void bookinfosManifestsAreTheTopologyOfAScenarioFileThatRuns() {
    ScenarioFile file = ScenarioYaml.read(FILE);

    assertThat(file.scenario().services())
        .extracting(ServiceSpec::name, ServiceSpec::replicasByVersion)
        .contains(
            org.assertj.core.groups.Tuple.tuple("reviews", Map.of("v1", 1, "v2", 1, "v3", 1)),
            org.assertj.core.groups.Tuple.tuple("productpage", Map.of("v1", 1)));
    assertThat(file.scenario().clients()).containsExactly("client");

    ScenarioResult result = ScenarioRunner.run(file.scenario(), Targets.embedded());

    assertThat(result.status()).as(result.toString()).isEqualTo(Status.PASSED);
    assertThat(result.traffic().sent()).isEqualTo(410);
  }
}
