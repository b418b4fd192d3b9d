package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshConsistentHashHeader, MeshConsistentHashCookie and
 * MeshConsistentHashSourceIP: the same scenarios with the DestinationRule's {@code consistentHash}
 * replaced by {@code simple: RANDOM} fail "same key, same instance" on every target (a key's 10
 * requests, or the source address's 100, all landing on one of 3 instances by chance has
 * probability 3^-9 per key at most), while every request still succeeds.
 */
class ConsistentHashCatalogueNegativeIT {
  private static final List<String> FILES =
      List.of(
          "mesh-consistent-hash-header.scenario.yaml",
          "mesh-consistent-hash-cookie.scenario.yaml",
          "mesh-consistent-hash-source-ip.scenario.yaml");

  private static final String RANDOM =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: catalog
      spec:
        host: catalog
        trafficPolicy:
          loadBalancer:
            simple: RANDOM
      """;

  @TestFactory
  Stream<DynamicTest> withoutTheHashTheKeysLoseTheirInstance() {
    return FILES.stream()
        .flatMap(
            file ->
                ConformanceTargets.all().stream()
                    .map(
                        target ->
                            DynamicTest.dynamicTest(
                                file + " with simple RANDOM on " + target.name(),
                                () -> runWithout(file, target))));
  }

  private static void runWithout(String file, Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + file).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(file + " (simple RANDOM)", text, f -> Optional.of(RANDOM)).scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    assertThat(result.expectations())
        .filteredOn(e -> !e.passed())
        .extracting(e -> e.description())
        .singleElement()
        .satisfies(d -> assertThat(d).startsWith("each of"));
  }
}
