package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
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
                CatalogueNegative.of(file, "with simple RANDOM")
                    .everyIstioFile(RANDOM)
                    .failsOnEveryTarget(
                        result ->
                            assertThat(result.expectations())
                                .filteredOn(e -> !e.passed())
                                .extracting(e -> e.description())
                                .singleElement()
                                .satisfies(d -> assertThat(d).startsWith("each of"))));
  }
}
