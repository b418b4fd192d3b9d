package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshTelemetryMetrics: the same run, expecting no v2 503 instead of what the
 * client observed, fails on every target, and only that expectation fails: the metric (Istio's on
 * the embedded sidecar, Envoy's cluster statistic on Envoy) is 20, the v2 answers the client saw.
 */
class TelemetryCatalogueNegativeIT {
  private static final String FILE = "mesh-telemetry-metrics.scenario.yaml";

  @TestFactory
  Stream<DynamicTest> expectingNoV2FailuresFailsOnEveryTarget() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " expecting no v2 503 on " + target.name(), () -> run(target)));
  }

  private static void run(Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    String wrong =
        text.replaceFirst("(response_code=\"503\"}\\n\\s+)equalsObserved: true", "$1equals: 0");
    assertThat(wrong).isNotEqualTo(text);
    Scenario scenario =
        ScenarioYaml.parse(
                FILE + " (expecting no v2 503)",
                wrong,
                file -> Catalogue.resource(Catalogue.DIRECTORY + file))
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
              assertThat(e.description()).contains("response_code=\"503\"");
              assertThat(e.message()).isEqualTo("istio_requests_total is 20 (expected 0)");
            });
  }
}
