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

  private static final String SUBSETS =
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
      ---
      """;

  private static final String PORT_9000_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: tcp-echo
      spec:
        hosts:
        - tcp-echo
        tcp:
        - match:
          - port: 9000
          route:
          - destination:
              host: tcp-echo
              port:
                number: 9000
              subset: v1
            weight: 80
          - destination:
              host: tcp-echo
              port:
                number: 9000
              subset: v2
            weight: 20
      """;

  /** The port 9001 rule with its destination's port left out: the Service has two ports. */
  private static final String PORTLESS_DESTINATION =
      PORT_9000_RULE
          + String.join(
              "\n",
              "  - match:",
              "    - port: 9001",
              "    route:",
              "    - destination:",
              "        host: tcp-echo",
              "        subset: v2",
              "");

  @TestFactory
  Stream<DynamicTest> withoutThePort9001RuleThatPortTakesItsDefaultRouteAndOnlyItsVerdictFails() {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FILE + " without its port 9001 rule on " + target.name(),
                    () -> {
                      ScenarioResult result = run(target, SUBSETS + PORT_9000_RULE);
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
                      ScenarioResult result = run(target, SUBSETS + PORTLESS_DESTINATION);
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
