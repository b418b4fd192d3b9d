package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshTCPRouteWeight: the same scenario with the VirtualService's {@code tcp}
 * rule taken out (only the DestinationRule applied) fails its 80/20 split on every target, the
 * connections spread over both versions by the load balancer instead; every echo still comes back,
 * so the TCP path works and only the route is missing.
 */
class TcpCatalogueNegativeIT {
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
    return CatalogueNegative.of("mesh-tcp-route-weight.scenario.yaml", "without its tcp route")
        .everyIstioFile(SUBSETS_ONLY)
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .singleElement()
                    .satisfies(d -> assertThat(d).startsWith("split of tcp-echo by version")));
  }
}
