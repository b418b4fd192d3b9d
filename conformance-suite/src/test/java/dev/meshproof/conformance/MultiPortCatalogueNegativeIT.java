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
 * The negative half of MeshMultiPortService on {@code mesh-tcp-multiport-route}: without the rule
 * for port 9001 that port takes its default route, so its connections reach v1 too and only the
 * port-9001 verdict fails (port 9000's rule and split are untouched: routes are per port); and a
 * destination without a port on the two-port Service is refused before anything is deployed, with
 * Istio's IST0112 at its file and line, as {@code istioctl analyze} refuses it.
 */
class MultiPortCatalogueNegativeIT {
  private static final String FILE = "mesh-tcp-multiport-route.scenario.yaml";
  private static final String ISTIO_FILE = "mesh-tcp-multiport-route.yaml";

  /** The catalogue's rule for port 9001, as written there (its last rule). */
  private static final String PORT_9001_RULE = "  - match:\n    - port: 9001\n";

  /** The port of the rule for 9001's destination, as written there. */
  private static final String PORT_9001_DESTINATION_PORT =
      "        port:\n          number: 9001\n";

  /** The catalogue's Istio YAML without the rule for port 9001. */
  private static String withoutPort9001Rule() {
    String yaml = istio();
    int rule = yaml.indexOf(PORT_9001_RULE);
    assertThat(rule).as("the rule for port 9001 in " + ISTIO_FILE).isPositive();
    return yaml.substring(0, rule);
  }

  /** The catalogue's Istio YAML with the port 9001 rule's destination left without its port. */
  private static String withPortlessDestination() {
    String yaml = istio();
    assertThat(yaml).contains(PORT_9001_DESTINATION_PORT);
    return yaml.replace(PORT_9001_DESTINATION_PORT, "");
  }

  private static String istio() {
    return Catalogue.resource(Catalogue.DIRECTORY + ISTIO_FILE).orElseThrow();
  }

  @TestFactory
  Stream<DynamicTest> withoutThePort9001RuleThatPortTakesItsDefaultRouteAndOnlyItsVerdictFails() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without its port 9001 rule on " + target.name(),
                    () -> {
                      ScenarioResult result = run(target, withoutPort9001Rule());
                      assertThat(result.status())
                          .as(result.failureSummary())
                          .isEqualTo(Status.FAILED);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .singleElement()
                          .satisfies(d -> assertThat(d).contains("traffic 'port-9001'"));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> aDestinationWithoutAPortOnTheTwoPortServiceIsRefusedAtItsLine() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " with a destination without port on " + target.name(),
                    () -> {
                      ScenarioResult result = run(target, withPortlessDestination());
                      assertThat(result.status()).isNotEqualTo(Status.PASSED);
                      assertThat(result.failure())
                          .hasValueSatisfying(
                              f ->
                                  assertThat(f)
                                      .contains("IST0112")
                                      .contains("VirtualService tcp-echo " + ISTIO_FILE + ":"));
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
