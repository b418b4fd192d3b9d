package dev.meshproof.scenario.junit;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;

/** Runs a scenario on a target as a test: fails with the evidence, skips when unavailable. */
final class ScenarioChecks {
  private ScenarioChecks() {}

  static ScenarioResult assertPasses(Scenario scenario, Target target) {
    return check(scenario, target, ScenarioRunner.run(scenario, target));
  }

  static ScenarioResult check(Scenario scenario, Target target, ScenarioResult result) {
    Assumptions.assumeTrue(
        result.status() != Status.SKIPPED,
        () -> target.name() + " unavailable: " + result.failure().orElse("skipped"));
    if (result.status() != Status.PASSED) {
      throw new AssertionFailedError(
          scenario.name()
              + " on "
              + target.name()
              + " (seed "
              + scenario.seed()
              + "):\n"
              + result.failureSummary());
    }
    return result;
  }
}
