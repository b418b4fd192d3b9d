package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshTelemetryMetrics: the same run, expecting no v2 503 instead of what the
 * client observed, fails on every target, and only that expectation fails: the metric (Istio's on
 * the embedded sidecar, Envoy's cluster statistic on Envoy) is 20, the v2 answers the client saw.
 */
class TelemetryCatalogueNegativeIT {

  @TestFactory
  Stream<DynamicTest> expectingNoV2FailuresFailsOnEveryTarget() {
    return CatalogueNegative.of("mesh-telemetry-metrics.scenario.yaml", "expecting no v2 503")
        .scenario(
            text ->
                text.replaceFirst(
                    "(response_code=\"503\"}\\n\\s+)equalsObserved: true", "$1equals: 0"))
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.description()).contains("response_code=\"503\"");
                          assertThat(e.message())
                              .isEqualTo("istio_requests_total is 20 (expected 0)");
                        }));
  }
}
