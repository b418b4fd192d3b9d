package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of MeshWarmup as the warmup scenario's own verdict sees it: {@code
 * mesh-load-balancer-warmup} with its DestinationRule's {@code warmup} removed (plain round robin)
 * fails exactly its "less than a third inside the window" expectation on every target, the
 * scaled-up endpoint taking its third at once; after the window and in success rate nothing
 * changes. (A mesh without warmup passes that one-sided test with probability at most its alpha,
 * 5e-6.) The catalogue's {@code mesh-load-balancer-warmup-absent} judges the same run positively.
 */
class WarmupCatalogueNegativeIT {

  @TestFactory
  Stream<DynamicTest> withoutWarmupTheNewEndpointIsNotBelowItsShare() {
    return CatalogueNegative.of("mesh-load-balancer-warmup.scenario.yaml", "without warmup")
        .everyIstioFile(CatalogueNegative.read("mesh-load-balancer-warmup-absent.yaml"))
        .failsOnEveryTarget(
            result ->
                assertThat(result.expectations())
                    .filteredOn(e -> !e.passed())
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.description())
                              .startsWith("instance catalog-v1-2 gets less than");
                          assertThat(e.message()).contains("NOT significantly less");
                        }));
  }
}
