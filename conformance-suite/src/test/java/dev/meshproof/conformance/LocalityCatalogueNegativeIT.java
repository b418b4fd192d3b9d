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
 * The negative halves of MeshLocalityFailover and MeshLocalityDistribute: without outlier detection
 * istiod gives every locality priority 0 (failover needs it, or Envoy would never leave priority
 * 0), and without {@code distribute} every locality keeps its endpoints; either way the same
 * scenario's round robin reaches the other region's replica on every target (and the failing local
 * one keeps answering 500).
 */
class LocalityCatalogueNegativeIT {
  private static final String FILE = "mesh-locality-failover.scenario.yaml";

  private static final String WITHOUT_OUTLIER_DETECTION =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: catalog
      spec:
        host: catalog
        trafficPolicy:
          loadBalancer:
            simple: ROUND_ROBIN
      """;

  @TestFactory
  Stream<DynamicTest> withoutOutlierDetectionThereIsNoFailover() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without outlier detection on " + target.name(),
                    () -> runWithout(target)));
  }

  @TestFactory
  Stream<DynamicTest> withoutDistributeEveryLocalityIsReached() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    DISTRIBUTE + " without distribute on " + target.name(),
                    () -> {
                      String text =
                          Catalogue.resource(Catalogue.DIRECTORY + DISTRIBUTE).orElseThrow();
                      Scenario scenario =
                          ScenarioYaml.parse(
                                  DISTRIBUTE + " (no distribute)",
                                  text,
                                  file -> Optional.of(WITHOUT_OUTLIER_DETECTION))
                              .scenario();
                      ScenarioResult result = ScenarioRunner.run(scenario, target);
                      Assumptions.assumeFalse(
                          result.status() == Status.SKIPPED,
                          () -> result.failure().orElse("skipped"));
                      assertThat(result.status())
                          .as(result.failureSummary())
                          .isEqualTo(Status.FAILED);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .contains("instance catalog-west-0 serves at most 0 request(s)");
                    }));
  }

  private static final String DISTRIBUTE = "mesh-locality-distribute.scenario.yaml";

  private static void runWithout(Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(
                FILE + " (no outlier detection)",
                text,
                file -> Optional.of(WITHOUT_OUTLIER_DETECTION))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    assertThat(result.expectations())
        .filteredOn(e -> !e.passed())
        .extracting(e -> e.description())
        .contains(
            "instance catalog-west-0 serves at most 0 request(s)",
            "instance catalog-east-a-0 serves at most 1 request(s)");
  }
}
