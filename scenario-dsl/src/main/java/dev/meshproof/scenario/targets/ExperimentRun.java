package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.RollbackResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the orchestrator saw of a chaos experiment: the hypothesis' verdicts before and after the
 * method, whether the method ran and why it failed, and each rollback's outcome. The method's own
 * expectations are judged afterwards, over the run's observations.
 *
 * @param hypothesisBefore verdicts over the probe before the method
 * @param methodRan false when the hypothesis failed before the method, which then did not run
 * @param methodFailure a fault that could not be applied or reverted, or an error of the method
 * @param hypothesisAfter verdicts over the probe after the method; empty when not reached
 * @param rollbacks every rollback's outcome, in order
 */
public record ExperimentRun(
    List<ExpectationResult> hypothesisBefore,
    boolean methodRan,
    Optional<String> methodFailure,
    List<ExpectationResult> hypothesisAfter,
    List<RollbackResult> rollbacks) {

  /** Copies the lists. */
  public ExperimentRun {
    hypothesisBefore = List.copyOf(hypothesisBefore);
    Objects.requireNonNull(methodFailure, "methodFailure");
    hypothesisAfter = List.copyOf(hypothesisAfter);
    rollbacks = List.copyOf(rollbacks);
  }
}
