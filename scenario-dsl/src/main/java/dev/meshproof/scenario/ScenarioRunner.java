package dev.meshproof.scenario;

import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.TrafficSummary;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      return new ScenarioResult(
          scenario.name(),
          target.name(),
          scenario.seed(),
          Status.SKIPPED,
          started,
          Duration.ZERO,
          TrafficSummary.none(),
          List.of(),
          unavailable,
          Map.of());
    }
    TargetRun run;
    try {
      run = target.run(scenario);
    } catch (ScenarioAbortedException e) {
      return new ScenarioResult(
          scenario.name(),
          target.name(),
          scenario.seed(),
          Status.FAILED,
          started,
          Duration.ofNanos(System.nanoTime() - startNanos),
          TrafficSummary.none(),
          List.of(),
          Optional.of(e.getMessage()),
          e.attachments());
    }
    List<ExpectationResult> verdicts = new ArrayList<>();
    for (Expectation expectation : scenario.expectations()) {
      verdicts.add(expectation.evaluate(run.observations()));
    }
    boolean passed = verdicts.stream().allMatch(ExpectationResult::passed);
    return new ScenarioResult(
        scenario.name(),
        target.name(),
        scenario.seed(),
        passed ? Status.PASSED : Status.FAILED,
        started,
        Duration.ofNanos(System.nanoTime() - startNanos),
        run.observations().summary(),
        verdicts,
        Optional.empty(),
        run.attachments(),
        run.observations().failedRequests(ScenarioResult.MAX_FAILED_REQUESTS));
  }
}
