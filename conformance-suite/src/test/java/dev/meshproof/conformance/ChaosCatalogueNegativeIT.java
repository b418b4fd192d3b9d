package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ExperimentPart;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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

  /**
   * One negative: the entry's scenario file, the Istio YAML that replaces its files (the mesh
   * feature taken out), an edit of the scenario text (for a negative that changes the fault), and
   * the expectation that must then fail.
   */
  private record Case(
      String file,
      String failingExpectation,
      String istioWithout,
      UnaryOperator<String> scenarioEdit) {
    Case(String file, String failingExpectation) {
      this(file, failingExpectation, PLAIN_ROUTE, UnaryOperator.identity());
    }
  }

  private static final List<Case> CASES =
      List.of(
          new Case("chaos-service-errors.scenario.yaml", "success rate is at least"),
          new Case("chaos-service-latency.scenario.yaml", "at most 2000 ms"),
          new Case("chaos-instance-loss.scenario.yaml", "success rate is at least"),
          // No route timeout: every call waits out the link's 2 s latency toxic.
          new Case("chaos-network-latency.scenario.yaml", "at most 2000 ms"),
          // No retries: the calls sent over the reset link fail.
          new Case(
              "chaos-network-reset.scenario.yaml",
              "success rate is at least",
              NO_RETRIES,
              UnaryOperator.identity()),
          // No outlier detection: round robin keeps sending every other call into the partition.
          new Case(
              "chaos-partition.scenario.yaml",
              "success rate is at least",
              NO_RETRIES,
              UnaryOperator.identity()),
          // Killed abruptly instead of drained: the calls routed to it meanwhile fail.
          new Case(
              "chaos-drain.scenario.yaml",
              "success rate is at least",
              NO_RETRIES,
              text -> text.replace("drain: true", "kill: true")),
          // The same failing windows without the readiness flips: the instance stays in EDS and
          // the calls routed to it while it answers 503 fail.
          new Case(
              "chaos-readiness-flap.scenario.yaml",
              "success rate is at least",
              null,
              text ->
                  text.substring(0, text.indexOf("chaos:"))
                      + FAILING_WITHOUT_READINESS
                      + text.substring(text.indexOf("expect:"))),
          // No retries: the calls v2 answers 503 as its error rate rises fail.
          new Case(
              "chaos-ramp.scenario.yaml",
              "success rate is at least",
              NO_RETRIES,
              UnaryOperator.identity()),
          // Not scaled: the endpoints stay two, so the split stays half and half.
          new Case(
              "chaos-scale.scenario.yaml",
              "split of catalog",
              null,
              text ->
                  text.substring(0, text.indexOf("chaos:"))
                      + text.substring(text.indexOf("steadyState:"))));

  @TestFactory
  Stream<DynamicTest> withoutTheMeshFeatureTheMethodFailsAndTheHypothesisHolds() {
    return CASES.stream()
        .flatMap(
            c ->
                ConformanceTargets.all().stream()
                    .map(
                        target ->
                            DynamicTest.dynamicTest(
                                c.file() + " without its mesh feature on " + target.name(),
                                () -> runWithout(c, target))));
  }

  private static void runWithout(Case c, Target target) {
    String text =
        c.scenarioEdit().apply(Catalogue.resource(Catalogue.DIRECTORY + c.file()).orElseThrow());
    Scenario scenario =
        ScenarioYaml.parse(
                c.file() + " (without its mesh feature)",
                text,
                file ->
                    c.istioWithout() == null
                        ? Catalogue.resource(Catalogue.DIRECTORY + file)
                        : Optional.of(c.istioWithout()))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    // Entries without a steady state (partition, drain) are plain chaos runs, not experiments.
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
  }
}
