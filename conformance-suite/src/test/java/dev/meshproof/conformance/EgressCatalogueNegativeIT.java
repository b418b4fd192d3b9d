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
 * The negative half of MeshServiceEntry (iia-ch5-egress): the same scenario without the book's
 * ServiceEntry fails on every target, since REGISTRY_ONLY answers forum's calls to
 * jsonplaceholder.typicode.com with 502 as it does for any other external host; so the entry, not
 * the stand-in app, is what lets them through.
 */
class EgressCatalogueNegativeIT {
  private static final String FILE = "iia-ch5-egress.scenario.yaml";

  /** A harmless document in place of the ServiceEntry: the scenario's only Istio file. */
  private static final String NO_SERVICE_ENTRY =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: no-service-entry
      """;

  @TestFactory
  Stream<DynamicTest> withoutTheServiceEntryTheExternalHostIsBlocked() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without its ServiceEntry on " + target.name(),
                    () -> runWithout(target)));
  }

  private static void runWithout(Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(FILE + " (no ServiceEntry)", text, file -> Optional.of(NO_SERVICE_ENTRY))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    assertThat(result.expectations())
        .filteredOn(e -> !e.passed())
        .extracting(e -> e.description())
        .singleElement()
        .satisfies(d -> assertThat(d).contains("jsonplaceholder"));
  }
}
