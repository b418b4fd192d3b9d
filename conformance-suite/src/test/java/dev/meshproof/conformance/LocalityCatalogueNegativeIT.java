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
 * one keeps answering 500). Of MeshLocalityFailoverPriority: without {@code failoverPriority} the
 * mesh's default failover keeps every request in the client's own zone. Of MeshLocalityRetryRemote:
 * without {@code retryRemoteLocalities} all three attempts stay on the failing local replica.
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
                    () ->
                        assertThat(
                                runReplaced(DISTRIBUTE, WITHOUT_OUTLIER_DETECTION, target)
                                    .expectations())
                            .filteredOn(e -> !e.passed())
                            .extracting(e -> e.description())
                            .contains("instance catalog-west-0 serves at most 0 request(s)")));
  }

  private static final String DISTRIBUTE = "mesh-locality-distribute.scenario.yaml";

  private static void runWithout(Target target) {
    assertThat(runReplaced(FILE, WITHOUT_OUTLIER_DETECTION, target).expectations())
        .filteredOn(e -> !e.passed())
        .extracting(e -> e.description())
        .contains(
            "instance catalog-west-0 serves at most 0 request(s)",
            "instance catalog-east-a-0 serves at most 1 request(s)");
  }

  private static final String FAILOVER_PRIORITY = "mesh-locality-failover-priority.scenario.yaml";

  private static final String RETRY_REMOTE = "mesh-locality-retry-remote.scenario.yaml";

  /** The scenario {@code file} with its Istio file replaced by {@code istio}, run on target. */
  private static ScenarioResult runReplaced(String file, String istio, Target target) {
    String text = Catalogue.resource(Catalogue.DIRECTORY + file).orElseThrow();
    Scenario scenario =
        ScenarioYaml.parse(file + " (negative)", text, f -> Optional.of(istio)).scenario();
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    return result;
  }

  @TestFactory
  Stream<DynamicTest> withoutFailoverPriorityTheClientsZoneComesFirst() {
    String defaultFailover =
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
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 1m
              maxEjectionPercent: 100
        """;
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    FAILOVER_PRIORITY + " without failoverPriority on " + target.name(),
                    () ->
                        assertThat(
                                runReplaced(FAILOVER_PRIORITY, defaultFailover, target)
                                    .expectations())
                            .filteredOn(e -> !e.passed())
                            .extracting(e -> e.description())
                            .containsExactlyInAnyOrder(
                                "every request is answered with status 200, x-echo-version:"
                                    + " east-b",
                                "instance catalog-east-a-0 serves at most 0 request(s)")));
  }

  @TestFactory
  Stream<DynamicTest> withoutRetryRemoteLocalitiesEveryAttemptStaysLocal() {
    String istio =
        Catalogue.resource(Catalogue.DIRECTORY + "mesh-locality-retry-remote.yaml")
            .orElseThrow()
            .replace("retryRemoteLocalities: true", "retryRemoteLocalities: false");
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(
                    RETRY_REMOTE + " without retryRemoteLocalities on " + target.name(),
                    () -> {
                      ScenarioResult result = runReplaced(RETRY_REMOTE, istio, target);
                      assertThat(result.expectations())
                          .filteredOn(e -> !e.passed())
                          .extracting(e -> e.description())
                          .containsExactly(
                              "every request is answered with status 200, x-echo-version: west");
                      // Not one request reached us-west: the failing local replica answered all.
                      assertThat(result.traffic().statusCounts()).containsOnlyKeys(503);
                    }));
  }
}
