package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshMultiPortService on {@code mesh-http-multiport-route}: with the port
 * 9080 rule sending to v2 instead of v1, that port's requests reach v2 and only the port-9080
 * verdict fails; port 9090's rule and split are untouched, since each HTTP port has its own route
 * configuration.
 */
class MultiPortHttpCatalogueNegativeIT {
  private static final String FILE = "mesh-http-multiport-route.scenario.yaml";
  private static final String ISTIO_FILE = "mesh-http-multiport-route.yaml";

  /** The destination of the catalogue's rule for port 9080, as written there. */
  private static final String PORT_9080_DESTINATION =
      "          number: 9080\n        subset: v1\n";

  /** The catalogue's Istio YAML with the port 9080 rule sending to v2. */
  private static String withPort9080ToV2() {
    String yaml = Catalogue.resource(Catalogue.DIRECTORY + ISTIO_FILE).orElseThrow();
    assertThat(yaml).contains(PORT_9080_DESTINATION);
    return yaml.replace(PORT_9080_DESTINATION, "          number: 9080\n        subset: v2\n");
  }

  @TestFactory
  Stream<DynamicTest> withThePort9080RuleToV2OnlyThatPortsVerdictFails() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " with its port 9080 rule to v2 on " + target.name(),
                    () -> {
                      ScenarioResult result = run(target, withPort9080ToV2());
                      assertThat(result.status())
                          .as(result.failureSummary())
                          .isEqualTo(Status.FAILED);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .singleElement()
                          .satisfies(d -> assertThat(d).contains("traffic 'port-9080'"));
                    }));
  }

  private static ScenarioResult run(Target target, String istio) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(
                FILE,
                text,
                file ->
                    file.equals(ISTIO_FILE)
                        ? Optional.of(istio)
                        : Catalogue.resource(Catalogue.DIRECTORY + file))
            .scenario();
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    return result;
  }
}
