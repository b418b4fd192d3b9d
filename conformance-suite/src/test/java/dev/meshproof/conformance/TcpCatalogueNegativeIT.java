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
 * The negative half of MeshTCPRouteWeight: the same scenario with the VirtualService's {@code tcp}
 * rule taken out (only the DestinationRule applied) fails its 80/20 split on every target, the
 * connections spread over both versions by the load balancer instead; every echo still comes back,
 * so the TCP path works and only the route is missing.
 */
class TcpCatalogueNegativeIT {
  private static final String FILE = "mesh-tcp-route-weight.scenario.yaml";

  private static final String SUBSETS_ONLY =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: tcp-echo-destination
      spec:
        host: tcp-echo
        subsets:
        - name: v1
          labels:
            version: v1
        - name: v2
          labels:
            version: v2
      """;

  @TestFactory
  Stream<DynamicTest> withoutTheTcpRouteTheSplitFailsAndEveryEchoStillComesBack() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without its tcp route on " + target.name(), () -> runWithout(target)));
  }

  private static void runWithout(Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + FILE).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(FILE + " (no tcp route)", text, file -> Optional.of(SUBSETS_ONLY))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    assertThat(result.expectations())
        .filteredOn(e -> !e.passed())
        .extracting(e -> e.description())
        .singleElement()
        .satisfies(d -> assertThat(d).startsWith("split of tcp-echo by version"));
  }
}
