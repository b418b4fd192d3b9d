package dev.meshproof.scenario.junit;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests that build a scenario in Java: runs it on the chosen targets, fails with the evidence
 * (the failed expectations and requests), skips on an unavailable target, and prints one line per
 * run when the class ends.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MeshproofExtension mesh = MeshproofExtension.onTargets("all");
 *
 * @Test
 * void canarySplits() {
 *   mesh.assertPasses(Scenario.named("canary")...build());
 * }
 * }</pre>
 */
public final class MeshproofExtension implements AfterAllCallback {
  private final List<Target> targets;
  private final List<ScenarioResult> results = new ArrayList<>();

  private MeshproofExtension(List<Target> targets) {
    this.targets = List.copyOf(targets);
  }

  /** Runs on {@code embedded}, {@code envoy} or {@code all}. */
  public static MeshproofExtension onTargets(String target) {
    return new MeshproofExtension(Targets.named(target));
  }

  /** Runs on the given targets. */
  public static MeshproofExtension onTargets(List<Target> targets) {
    return new MeshproofExtension(targets);
  }

  /**
   * Runs {@code scenario} on every target and returns their results; fails at the first target
   * whose expectations fail, skips the test when a target is unavailable.
   */
  public List<ScenarioResult> assertPasses(Scenario scenario) {
    Objects.requireNonNull(scenario, "scenario");
    List<ScenarioResult> passed = new ArrayList<>();
    for (Target target : targets) {
      ScenarioResult result = ScenarioRunner.run(scenario, target);
      synchronized (results) {
        results.add(result);
      }
      passed.add(ScenarioChecks.check(scenario, target, result));
    }
    return passed;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    synchronized (results) {
      for (ScenarioResult r : results) {
        System.out.printf(
            "meshproof: %s on %s %s, %d requests, seed %d%n",
            r.scenario(), r.target(), r.status(), r.traffic().sent(), r.seed());
      }
      results.clear();
    }
  }
}
