package dev.meshproof.scenario.chaos;

import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Faults that start on an event, and readiness, on both data planes, judged exactly: one request at
 * a time, so the request after the trigger is the first to meet the fault, and a not-ready instance
 * that fails every request it gets is never sent one.
 */
class ChaosEventsIT {

  private static Stream<DynamicTest> onBothTargets(String name, Consumer<Target> check) {
    return Stream.of(Targets.embedded(), Targets.envoy())
        .map(
            target ->
                DynamicTest.dynamicTest(name + " on " + target.name(), () -> check.accept(target)));
  }

  private static ScenarioResult run(Scenario scenario, Target target) {
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    return result;
  }

  @TestFactory
  Stream<DynamicTest> aFaultAfterNRequestsMeetsExactlyTheRequestsAfterTheNth() {
    Scenario scenario =
        Scenario.named("catalog fails after 60 requests")
            .seed(3)
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(120))
            .chaos(
                c ->
                    c.at(Duration.ZERO, Chaos.service("catalog").errors(1.0, "503"))
                        .after(new StartOn.Requests(60)))
            .expect(successRate().atLeast(0.5))
            .build();
    return onBothTargets(
        "after 60 requests",
        target -> {
          ScenarioResult result = run(scenario, target);

          assertThat(result.traffic().statusCounts())
              .as(result.failureSummary())
              .isEqualTo(Map.of(200, 60L, 503, 60L));
          assertThat(result.attachments().get("chaos_events"))
              .contains("INJECTED service catalog-v1-0: errors 100% 503:1: after 60 requests");
        });
  }

  @TestFactory
  Stream<DynamicTest> aNotReadyInstanceIsOutOfEveryCallersEdsSoItsFailuresMeetNoRequest() {
    Scenario scenario =
        Scenario.named("catalog v2 not ready, answering 503")
            .seed(3)
            .service("catalog", s -> s.version("v1").version("v2"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(60))
            .chaos(c -> c.at(Duration.ZERO, Chaos.service("catalog").version("v2").notReady("503")))
            .expect(successRate().atLeast(1.0))
            .expect(split("catalog").byVersion(Map.of("v1", 1.0)).atAlpha(1e-6))
            .build();
    return onBothTargets(
        "not ready",
        target -> {
          ScenarioResult result = run(scenario, target);

          assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.PASSED);
          assertThat(result.traffic().statusCounts()).isEqualTo(Map.of(200, 60L));
          assertThat(result.attachments().get("chaos_events"))
              .contains("INJECTED instance catalog-v2-0: not ready, answering 503:1")
              .contains("REVERTED instance catalog-v2-0: not ready, answering 503:1");
        });
  }

  @TestFactory
  Stream<DynamicTest> instancesAScaleUpAddsGetTheLinksToxicProxies() {
    // Scaled to 2 first, then the link to every v1 instance refuses: the new instance too.
    Scenario scenario =
        Scenario.named("catalog v1 scaled to 2, then partitioned from the client")
            .seed(3)
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(20))
            .chaos(
                c ->
                    c.at(Duration.ZERO, Chaos.scale("catalog", "v1", 2))
                        .at(
                            Duration.ZERO,
                            Chaos.service("catalog").version("v1").from("client").refused()))
            .expect(successRate().atLeast(0.5))
            .build();
    return onBothTargets(
        "scale-up behind a partition",
        target -> {
          ScenarioResult result = run(scenario, target);

          assertThat(result.traffic().sent()).isEqualTo(20);
          assertThat(result.traffic().statusCounts())
              .as(result.failureSummary())
              .doesNotContainKey(200);
          assertThat(result.attachments().get("chaos_events")).doesNotContain("FAILED");
        });
  }

  @TestFactory
  Stream<DynamicTest> aLinkFromAClientWithoutASidecarIsDegradedToo() {
    Scenario scenario =
        Scenario.named("a client without a sidecar partitioned from catalog")
            .seed(3)
            .service("catalog", s -> s.version("v1"))
            .clientWithoutSidecar("legacy")
            .traffic(t -> t.from("legacy").get("http://catalog/").requests(20))
            .chaos(
                c ->
                    c.at(Duration.ofSeconds(60), Chaos.service("catalog").from("legacy").refused()))
            .expect(successRate().atLeast(1.0))
            .build();
    Scenario partitioned =
        Scenario.named("a client without a sidecar partitioned from catalog")
            .seed(3)
            .service("catalog", s -> s.version("v1"))
            .clientWithoutSidecar("legacy")
            .traffic(t -> t.from("legacy").get("http://catalog/").requests(20))
            .chaos(c -> c.at(Duration.ZERO, Chaos.service("catalog").from("legacy").refused()))
            .expect(successRate().atLeast(1.0))
            .build();
    return onBothTargets(
        "sidecarless link",
        target -> {
          // Through the proxy while it is healthy, then refused once it is partitioned.
          assertThat(run(scenario, target).traffic().statusCounts()).isEqualTo(Map.of(200, 20L));
          ScenarioResult result = run(partitioned, target);
          assertThat(result.traffic().sent()).isEqualTo(20);
          assertThat(result.traffic().responses()).as(result.failureSummary()).isZero();
        });
  }
}
