package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
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
    return CatalogueNegative.of("mesh-locality-failover.scenario.yaml", "without outlier detection")
        .everyIstioFile(WITHOUT_OUTLIER_DETECTION)
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .contains(
                        "instance catalog-west-0 serves at most 0 request(s)",
                        "instance catalog-east-a-0 serves at most 1 request(s)"));
  }

  @TestFactory
  Stream<DynamicTest> withoutDistributeEveryLocalityIsReached() {
    return CatalogueNegative.of("mesh-locality-distribute.scenario.yaml", "without distribute")
        .everyIstioFile(WITHOUT_OUTLIER_DETECTION)
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .contains("instance catalog-west-0 serves at most 0 request(s)"));
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
    return CatalogueNegative.of(
            "mesh-locality-failover-priority.scenario.yaml", "without failoverPriority")
        .everyIstioFile(defaultFailover)
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .extracting(e -> e.description())
                    .containsExactlyInAnyOrder(
                        "every request is answered with status 200, x-echo-version: east-b",
                        "instance catalog-east-a-0 serves at most 0 request(s)"));
  }

  @TestFactory
  Stream<DynamicTest> withoutRetryRemoteLocalitiesEveryAttemptStaysLocal() {
    return CatalogueNegative.of(
            "mesh-locality-retry-remote.scenario.yaml", "without retryRemoteLocalities")
        .istioFile(
            "mesh-locality-retry-remote.yaml",
            yaml -> yaml.replace("retryRemoteLocalities: true", "retryRemoteLocalities: false"))
        .failsOnEveryTarget(
            result -> {
              assertThat(result.expectations())
                  .filteredOn(e -> !e.passed())
                  .extracting(e -> e.description())
                  .containsExactly(
                      "every request is answered with status 200, x-echo-version: west");
              // Not one request reached us-west: the failing local replica answered all.
              assertThat(result.traffic().statusCounts()).containsOnlyKeys(503);
            });
  }
}
