package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.Status;
import java.util.stream.Stream;
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

  @TestFactory
  Stream<DynamicTest> withoutThePort9001RuleThatPortTakesItsDefaultRouteAndOnlyItsVerdictFails() {
    return CatalogueNegative.of(FILE, "without its port 9001 rule")
        .istioFile(
            ISTIO_FILE,
            yaml -> {
              int rule = yaml.indexOf(PORT_9001_RULE);
              assertThat(rule).as("the rule for port 9001 in " + ISTIO_FILE).isPositive();
              return yaml.substring(0, rule);
            })
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .singleElement()
                    .satisfies(d -> assertThat(d).contains("traffic 'port-9001'")));
  }

  @TestFactory
  Stream<DynamicTest> aDestinationWithoutAPortOnTheTwoPortServiceIsRefusedAtItsLine() {
    return CatalogueNegative.of(FILE, "with a destination without port")
        .istioFile(
            ISTIO_FILE,
            yaml -> {
              assertThat(yaml).contains(PORT_9001_DESTINATION_PORT);
              return yaml.replace(PORT_9001_DESTINATION_PORT, "");
            })
        .onEveryTarget(
            result -> {
              assertThat(result.status()).isNotEqualTo(Status.PASSED);
              assertThat(result.failure())
                  .hasValueSatisfying(
                      f ->
                          assertThat(f)
                              .contains("IST0112")
                              .contains("VirtualService tcp-echo " + ISTIO_FILE + ":"));
            });
  }
}
