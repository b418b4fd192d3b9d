package dev.meshproof.scenario;

import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
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
    for (Expectation expectation : scenario.expectations()) {
      verdicts.add(expectation.evaluate(run.observations()));
    }
    boolean passed = verdicts.stream().allMatch(ExpectationResult::passed);
    return result(scenario, target)
        .status(passed ? Status.PASSED : Status.FAILED)
        .started(started)
        .duration(Duration.ofNanos(System.nanoTime() - startNanos))
        .traffic(run.observations().summary())
        .expectations(verdicts)
        .attachments(run.attachments())
        .findings(run.findings())
        .failedRequests(run.observations().failedRequests(ScenarioResult.MAX_FAILED_REQUESTS))
        .build();
  }

  private static ScenarioResult.Builder result(Scenario scenario, Target target) {
    return ScenarioResult.builder(scenario.name(), target.name(), scenario.seed());
  }
}
