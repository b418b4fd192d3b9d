package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ExperimentPart;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative half of the Chaos* catalogue entries: the same experiment with the mesh feature
 * taken out (the retries, the route timeout, outlier detection; a kill for a drain; no scale) fails
 * its method on every target, while its steady-state hypothesis (where it has one) still holds
 * before and after; so the entries' resilience expectations prove the feature, not the fault's
 * mildness.
 */
class ChaosCatalogueNegativeIT {
  /** catalog's route without retries or timeout; Istio 1.32's default retry policy skips 503. */
  private static final String PLAIN_ROUTE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: catalog
      spec:
        hosts:
        - catalog
        http:
        - route:
          - destination:
              host: catalog
      """;

  /** catalog's route with retries turned off: neither an explicit nor Istio's default policy. */
  private static final String NO_RETRIES =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: catalog
      spec:
        hosts:
        - catalog
        http:
        - retries:
            attempts: 0
          route:
          - destination:
              host: catalog
      """;

  /**
   * chaos-readiness-flap's not-ready windows (300-700, 1000-1400, 1700-2100 ms) as plain errors:
   * catalog-v2-0 answers 503 to everything then, but stays ready, so it stays in EDS.
   */
  private static final String FAILING_WITHOUT_READINESS =
      """
      chaos:
        - at: 300ms
          duration: 400ms
          service: {name: catalog, instance: catalog-v2-0, errors: {fraction: 1.0, statuses: '503'}}
        - at: 1000ms
          duration: 400ms
          service: {name: catalog, instance: catalog-v2-0, errors: {fraction: 1.0, statuses: '503'}}
        - at: 1700ms
          duration: 400ms
          service: {name: catalog, instance: catalog-v2-0, errors: {fraction: 1.0, statuses: '503'}}
      """;

  /** One negative: the entry's run with its mesh feature taken out, and what must then fail. */
  private record Case(CatalogueNegative negative, String failingExpectation) {}

  private static CatalogueNegative without(String file) {
    return CatalogueNegative.of(file, "without its mesh feature");
  }

  /** The entry's run with catalog's route replaced by {@code istio}. */
  private static CatalogueNegative with(String file, String istio) {
    return without(file).everyIstioFile(istio);
  }

  private static final List<Case> CASES =
      List.of(
          new Case(
              with("chaos-service-errors.scenario.yaml", PLAIN_ROUTE), "success rate is at least"),
          new Case(with("chaos-service-latency.scenario.yaml", PLAIN_ROUTE), "at most 2000 ms"),
          new Case(
              with("chaos-instance-loss.scenario.yaml", PLAIN_ROUTE), "success rate is at least"),
          // No route timeout: every call waits out the link's 2 s latency toxic.
          new Case(with("chaos-network-latency.scenario.yaml", PLAIN_ROUTE), "at most 2000 ms"),
          // No retries: the calls sent over the reset link fail.
          new Case(
              with("chaos-network-reset.scenario.yaml", NO_RETRIES), "success rate is at least"),
          // No outlier detection: round robin keeps sending every other call into the partition.
          new Case(with("chaos-partition.scenario.yaml", NO_RETRIES), "success rate is at least"),
          // Killed abruptly instead of drained: the calls routed to it meanwhile fail.
          new Case(
              with("chaos-drain.scenario.yaml", NO_RETRIES)
                  .scenario(text -> text.replace("drain: true", "kill: true")),
              "success rate is at least"),
          // The same failing windows without the readiness flips: the instance stays in EDS and
          // the calls routed to it while it answers 503 fail.
          new Case(
              without("chaos-readiness-flap.scenario.yaml")
                  .scenario(
                      text ->
                          text.substring(0, text.indexOf("chaos:"))
                              + FAILING_WITHOUT_READINESS
                              + text.substring(text.indexOf("expect:"))),
              "success rate is at least"),
          // No retries: the calls v2 answers 503 as its error rate rises fail.
          new Case(with("chaos-ramp.scenario.yaml", NO_RETRIES), "success rate is at least"),
          // Not scaled: the endpoints stay two, so the split stays half and half.
          new Case(
              without("chaos-scale.scenario.yaml")
                  .scenario(
                      text ->
                          text.substring(0, text.indexOf("chaos:"))
                              + text.substring(text.indexOf("steadyState:"))),
              "split of catalog"));

  @TestFactory
  Stream<DynamicTest> withoutTheMeshFeatureTheMethodFailsAndTheHypothesisHolds() {
    return CASES.stream()
        .flatMap(
            c ->
                c.negative()
                    .failsOnEveryTarget(
                        result -> {
                          // Entries without a steady state (partition, drain) are plain chaos
                          // runs, not experiments.
                          result
                              .experiment()
                              .ifPresent(
                                  verdict ->
                                      assertThat(verdict.failedParts())
                                          .as(verdict.summary())
                                          .containsExactly(ExperimentPart.METHOD));
                          assertThat(result.expectations())
                              .filteredOn(e -> !e.passed())
                              .extracting(e -> e.description())
                              .anySatisfy(d -> assertThat(d).contains(c.failingExpectation()));
                        }));
  }
}
