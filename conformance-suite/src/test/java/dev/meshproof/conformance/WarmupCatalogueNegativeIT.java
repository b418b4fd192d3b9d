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
 * The negative half of MeshWarmup as the warmup scenario's own verdict sees it: {@code
 * mesh-load-balancer-warmup} with its DestinationRule's {@code warmup} removed (plain round robin)
 * fails exactly its "less than a third inside the window" expectation on every target, the
 * scaled-up endpoint taking its third at once; after the window and in success rate nothing
 * changes. (A mesh without warmup passes that one-sided test with probability at most its alpha,
 * 5e-6.) The catalogue's {@code mesh-load-balancer-warmup-absent} judges the same run positively.
 */
class WarmupCatalogueNegativeIT {
  private static final String FILE = "mesh-load-balancer-warmup.scenario.yaml";

  @TestFactory
  Stream<DynamicTest> withoutWarmupTheNewEndpointIsNotBelowItsShare() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without warmup on " + target.name(), () -> runWithout(target)));
  }

  private static void runWithout(Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    String withoutWarmup =
        Catalogue.resource(Catalogue.DIRECTORY + "mesh-load-balancer-warmup-absent.yaml")
            .orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(FILE + " (without warmup)", text, f -> Optional.of(withoutWarmup))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    assertThat(result.expectations())
        .filteredOn(e -> !e.passed())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.description()).startsWith("instance catalog-v1-2 gets less than");
              assertThat(e.message()).contains("NOT significantly less");
            });
  }
}
