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
 * The negative half of MeshServiceEntry: iia-ch5-egress without the book's ServiceEntry fails on
 * every target, since REGISTRY_ONLY answers forum's calls to jsonplaceholder.typicode.com with 502
 * as it does for any other external host; mesh-service-entry-none without its resolution NONE entry
 * fails the same way for 127.0.0.1:9081. So the entries, not the stand-in apps, are what let the
 * calls through.
 */
class EgressCatalogueNegativeIT {
  private static final String EGRESS = "iia-ch5-egress.scenario.yaml";

  private static final String NONE = "mesh-service-entry-none.scenario.yaml";

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
                    EGRESS + " without its ServiceEntry on " + target.name(),
                    () -> {
                      ScenarioResult result = runWithout(EGRESS, target);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .singleElement()
                          .satisfies(d -> assertThat(d).contains("jsonplaceholder"));
                    }));
  }

  /**
   * mesh-service-entry-none without its entry: 127.0.0.1:9081 is outside the registry, so
   * REGISTRY_ONLY answers 502 and the server is never reached; the two 404 cases become 502 as
   * well, and only other-address keeps its 502.
   */
  @TestFactory
  Stream<DynamicTest> withoutTheNoneEntryItsAddressIsBlocked() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    NONE + " without its ServiceEntry on " + target.name(),
                    () -> {
                      ScenarioResult result = runWithout(NONE, target);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .hasSize(3)
                          .anySatisfy(d -> assertThat(d).contains("entry-address"));
                    }));
  }

  private static ScenarioResult runWithout(String file, Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + file).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(file + " (no ServiceEntry)", text, f -> Optional.of(NO_SERVICE_ENTRY))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    return result;
  }
}
