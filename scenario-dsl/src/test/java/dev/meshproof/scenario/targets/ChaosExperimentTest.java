package dev.meshproof.scenario.targets;

import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.chaos.Rollback;
import dev.meshproof.scenario.result.ExperimentPart;
import dev.meshproof.scenario.result.ExperimentVerdict;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.traffic.TrafficClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Chaos experiments over an in-memory deployment: the hypothesis before and after the method, the
 * rollbacks that always run, and a verdict naming the part that failed. The fake's client answers
 * 503 while catalog v2 errs or the system is "broken", 200 otherwise.
 */
class ChaosExperimentTest {
  private final List<String> calls = new ArrayList<>();
  private final BehaviorControl v2 = new BehaviorControl(Behavior.defaults());
  private boolean broken;
  private boolean applyFails;
  private boolean fatal;

  private Scenario.Builder experiment(String methodUrl) {
    return Scenario.named("experiment")
        .service("catalog", s -> s.version("v1").version("v2"))
        .client("client")
        .traffic(t -> t.from("client").get(methodUrl).requests(3))
        .chaos(
            c ->
                c.steadyState(
                        t -> t.from("client").get("http://catalog/probe").requests(20),
                        successRate().atLeast(0.9).atAlpha(0.001).build())
                    .at(Duration.ZERO, Chaos.service("catalog").version("v2").errors(1.0, "503"))
                    .rollback(Chaos.service("catalog").version("v2").restore())
                    .rollback(
                        new Rollback.Action(
                            "mend",
                            h -> {
                              calls.add("rollback mend");
                              broken = false;
                            })));
  }

  @Test
  void checksTheHypothesisBeforeAndAfterTheMethodThenRunsTheRollbacks() {
    ScenarioResult result = run(experiment("http://catalog/method").build());

    assertThat(result.status()).isEqualTo(Status.PASSED);
    ExperimentVerdict verdict = result.experiment().orElseThrow();
    assertThat(verdict.failedParts()).isEmpty();
    assertThat(verdict.hypothesisBefore()).hasSize(1);
    assertThat(verdict.hypothesisAfter()).hasSize(1);
    assertThat(verdict.rollbacks()).hasSize(2).allMatch(r -> r.succeeded());
    // The probe windows around the method, the method's requests with the fault in force.
    assertThat(calls)
        .containsSubsequence(
            "send http://catalog/probe 200",
            "send http://catalog/method 503",
            "send http://catalog/probe 200",
            "rollback mend")
        .filteredOn(c -> c.startsWith("send http://catalog/probe"))
        .hasSize(40);
  }

  @Test
  void aHypothesisFailingBeforeTheMethodSkipsItButTheRollbacksRun() {
    v2.set(Behavior.builder().errorRate(1.0).build());

    ScenarioResult result = run(experiment("http://catalog/method").build());

    assertThat(result.status()).isEqualTo(Status.FAILED);
    ExperimentVerdict verdict = result.experiment().orElseThrow();
    assertThat(verdict.failedParts()).containsExactly(ExperimentPart.HYPOTHESIS_BEFORE);
    assertThat(verdict.methodRan()).isFalse();
    assertThat(calls).noneMatch(c -> c.contains("/method")).contains("rollback mend");
    assertThat(v2.get()).isEqualTo(Behavior.defaults());
    assertThat(result.failureSummary())
        .contains("experiment failed in: steady-state hypothesis before the method");
  }

  @Test
  void aSystemThatDoesNotRecoverFailsTheHypothesisAfterTheMethod() {
    ScenarioResult result = run(experiment("http://catalog/break").build());

    ExperimentVerdict verdict = result.experiment().orElseThrow();
    assertThat(verdict.failedParts()).containsExactly(ExperimentPart.HYPOTHESIS_AFTER);
    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(calls).contains("rollback mend");
    assertThat(broken).isFalse();
  }

  @Test
  void aMethodThatThrowsFailsTheMethodAndTheRollbacksStillRun() {
    ScenarioResult result = run(experiment("http://catalog/crash").build());

    ExperimentVerdict verdict = result.experiment().orElseThrow();
    assertThat(verdict.failedParts()).contains(ExperimentPart.METHOD);
    assertThat(verdict.methodFailure()).hasValueSatisfying(f -> assertThat(f).contains("crashed"));
    assertThat(calls).contains("rollback mend");
    // The fault the crashed method had injected was reverted too.
    assertThat(v2.get()).isEqualTo(Behavior.defaults());
  }

  @Test
  void aFailingMethodExpectationFailsTheMethodPart() {
    ScenarioResult result =
        run(
            experiment("http://catalog/method")
                .expect(successRate().atLeast(0.99).atAlpha(0.001))
                .build());

    assertThat(result.experiment().orElseThrow().failedParts())
        .containsExactly(ExperimentPart.METHOD);
  }

  @Test
  void aFailingRollbackFailsTheRollbackPartAndTheOthersStillRun() {
    ScenarioResult result =
        run(
            experiment("http://catalog/method")
                .chaos(
                    c ->
                        c.rollback(
                            new Rollback.Action(
                                "explode",
                                h -> {
                                  throw new IllegalStateException("cannot roll back");
                                })))
                .chaos(c -> c.rollback(new Rollback.Action("last", h -> calls.add("last"))))
                .build());

    ExperimentVerdict verdict = result.experiment().orElseThrow();
    assertThat(verdict.failedParts()).containsExactly(ExperimentPart.ROLLBACK);
    assertThat(verdict.rollbacks().get(2).failure())
        .hasValueSatisfying(f -> assertThat(f).contains("cannot roll back"));
    assertThat(calls).contains("rollback mend", "last");
  }

  @Test
  void rollbacksRunEvenWhenTheRunIsCutShortByAnError() {
    fatal = true;
    Scenario scenario =
        experiment("http://catalog/method")
            .chaos(c -> c.at(Duration.ZERO, Chaos.proxy("abort", "kind: A", "kind: B")))
            .build();

    assertThatThrownBy(() -> ScenarioOrchestrator.run(scenario, (s, seeds) -> new Fake()))
        .isInstanceOf(AssertionError.class);
    assertThat(calls).contains("rollback mend", "close");
  }

  @Test
  void aFaultThatCannotBeAppliedFailsTheMethod() {
    applyFails = true;
    Scenario scenario =
        experiment("http://catalog/method")
            .chaos(c -> c.at(Duration.ZERO, Chaos.proxy("abort", "kind: A", "kind: B")))
            .build();

    ScenarioResult result = run(scenario);

    assertThat(result.experiment().orElseThrow().methodFailure())
        .hasValueSatisfying(f -> assertThat(f).contains("FAILED proxy: abort", "rejected"));
  }

  @Test
  void withoutAnExperimentAFaultThatCannotBeAppliedFailsTheRunLoudly() {
    applyFails = true;
    Scenario scenario =
        Scenario.named("plain")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .chaos(c -> c.at(Duration.ZERO, Chaos.proxy("abort", "kind: A", "kind: B")))
            .build();

    ScenarioResult result = run(scenario);

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.failure()).hasValueSatisfying(f -> assertThat(f).contains("chaos: "));
    assertThat(result.experiment()).isEmpty();
  }

  private ScenarioResult run(Scenario scenario) {
    return ScenarioRunner.run(
        scenario, new DeploymentTarget("fake", (s, seeds) -> new Fake(), Optional::empty));
  }

  private final class Fake implements Deployment {
    private final BehaviorControl v1 = new BehaviorControl(Behavior.defaults());

    @Override
    public void apply(IstioSource source) {}

    @Override
    public void awaitSynced() {}

    @Override
    public TrafficClient client(String client) {
      return request -> {
        String url = request.url().toString();
        if (url.endsWith("/crash")) {
          throw new IllegalStateException("client crashed");
        }
        if (url.endsWith("/break")) {
          broken = true;
        }
        int status = broken || v2.get().errorRate() > 0 ? 503 : 200;
        calls.add("send " + url + " " + status);
        return CompletableFuture.completedFuture(
            new HttpOutcome(
                HttpOutcome.Kind.RESPONSE, status, Map.of(), "", Duration.ofMillis(1), ""));
      };
    }

    @Override
    public List<dev.meshproof.fake.journal.JournalEntry> journal() {
      return List.of();
    }

    @Override
    public Map<String, String> configDumps() {
      return Map.of();
    }

    @Override
    public Map<String, String> proxyLogs() {
      return Map.of();
    }

    @Override
    public List<ServiceTarget> instances(String service) {
      return List.of(new ServiceTarget("catalog-v1-0", v1), new ServiceTarget("catalog-v2-0", v2));
    }

    @Override
    public List<ServiceTarget> instances(String service, String version) {
      return instances(service).stream().filter(t -> t.name().contains(version)).toList();
    }

    @Override
    public MeshConfigHandle meshConfig() {
      if (fatal) {
        // An Error (as an interrupt or an out-of-memory would be) is no method failure to record:
        // it cuts the run short, and the rollbacks must run on the way out.
        throw new AssertionError("fatal");
      }
      return (yaml, source) -> {
        if (applyFails) {
          throw new IllegalArgumentException(source + " rejected");
        }
      };
    }

    @Override
    public InstanceHandle controlPlane() {
      return InstanceHandle.of("istiod", () -> {}, () -> {});
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }
}
