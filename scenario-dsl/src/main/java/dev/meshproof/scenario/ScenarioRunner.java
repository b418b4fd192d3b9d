package dev.meshproof.scenario;

import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ExperimentVerdict;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.Topology;
import dev.meshproof.scenario.targets.ExperimentRun;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a scenario on a target and judges every expectation. A target that is unavailable gives a
 * SKIPPED result with its reason; a scenario that cannot reach its traffic (invalid YAML, a NACK)
 * gives a FAILED result whose reason says why, never a stack trace at the user.
 */
public final class ScenarioRunner {
  private ScenarioRunner() {}

  public static ScenarioResult run(Scenario scenario, Target target) {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    Optional<String> unavailable = target.unavailableReason();
    if (unavailable.isPresent()) {
      return result(scenario, target)
          .status(Status.SKIPPED)
          .started(started)
          .failure(unavailable)
          .build();
    }
    TargetRun run;
    try {
      run = target.run(scenario);
    } catch (ScenarioAbortedException e) {
      return result(scenario, target)
          .status(Status.FAILED)
          .started(started)
          .duration(Duration.ofNanos(System.nanoTime() - startNanos))
          .failure(e.getMessage())
          .attachments(e.attachments())
          .build();
    }
    List<ExpectationResult> verdicts = new ArrayList<>();
    boolean methodRan = run.experiment().map(ExperimentRun::methodRan).orElse(true);
    if (methodRan) {
      for (Expectation expectation : scenario.expectations()) {
        verdicts.add(expectation.evaluate(run.observations()));
      }
    }
    Optional<ExperimentVerdict> experiment =
        run.experiment()
            .map(
                e ->
                    ExperimentVerdict.of(
                        e.hypothesisBefore(),
                        e.methodRan(),
                        e.methodFailure(),
                        verdicts,
                        e.hypothesisAfter(),
                        e.rollbacks()));
    boolean passed =
        verdicts.stream().allMatch(ExpectationResult::passed)
            && experiment.map(ExperimentVerdict::passed).orElse(true);
    return result(scenario, target)
        .status(passed ? Status.PASSED : Status.FAILED)
        .started(started)
        .duration(Duration.ofNanos(System.nanoTime() - startNanos))
        .traffic(run.observations().summary())
        .timeline(run.observations().timeline(run.faultWindows()))
        .topology(topology(scenario, run))
        .expectations(verdicts)
        .attachments(run.attachments())
        .findings(run.findings())
        .experiment(experiment)
        .failedRequests(run.observations().failedRequests(ScenarioResult.MAX_FAILED_REQUESTS))
        .build();
  }

  /** The scenario's services as deployed, with the traffic each instance answered. */
  static Topology topology(Scenario scenario, TargetRun run) {
    List<Topology.Workload> workloads = new ArrayList<>();
    for (ServiceSpec service : scenario.services()) {
      for (String version : service.replicasByVersion().keySet()) {
        workloads.add(
            new Topology.Workload(service.name(), version, service.instanceNames(version)));
      }
    }
    return new Topology(scenario.clients(), workloads, run.observations().edges());
  }

  private static ScenarioResult.Builder result(Scenario scenario, Target target) {
    return ScenarioResult.builder(scenario.name(), target.name(), scenario.seed());
  }
}
