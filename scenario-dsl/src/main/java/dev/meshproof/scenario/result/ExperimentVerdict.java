package dev.meshproof.scenario.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of a chaos experiment, part by part (Chaos Toolkit's journal): the steady-state
 * hypothesis before the method, the method (its faults and its expectations, the latter in {@link
 * ScenarioResult#expectations()}), the hypothesis after, and the rollbacks, which always ran.
 *
 * @param hypothesisBefore the hypothesis' verdicts before the method; empty without a hypothesis
 * @param methodRan whether the method ran (it does not when the hypothesis failed before it)
 * @param methodFailure why the method itself failed (a fault not applied or reverted, an error);
 *     empty when it ran through
 * @param hypothesisAfter the hypothesis' verdicts after the method; empty when it was not reached
 * @param rollbacks each rollback's outcome, in order
 * @param failedParts the parts that failed, in experiment order; empty when the experiment passed
 */
public record ExperimentVerdict(
    List<ExpectationResult> hypothesisBefore,
    boolean methodRan,
    Optional<String> methodFailure,
    List<ExpectationResult> hypothesisAfter,
    List<RollbackResult> rollbacks,
    List<ExperimentPart> failedParts) {

  /** Copies the lists. */
  public ExperimentVerdict {
    hypothesisBefore = List.copyOf(hypothesisBefore);
    Objects.requireNonNull(methodFailure, "methodFailure");
    hypothesisAfter = List.copyOf(hypothesisAfter);
    rollbacks = List.copyOf(rollbacks);
    failedParts = List.copyOf(failedParts);
  }

  /**
   * The verdict of what ran, with its failed parts derived: a part fails when one of its
   * expectations or actions failed ({@code methodExpectations} are the scenario's own).
   */
  public static ExperimentVerdict of(
      List<ExpectationResult> hypothesisBefore,
      boolean methodRan,
      Optional<String> methodFailure,
      List<ExpectationResult> methodExpectations,
      List<ExpectationResult> hypothesisAfter,
      List<RollbackResult> rollbacks) {
    List<ExperimentPart> failed = new ArrayList<>();
    if (hypothesisBefore.stream().anyMatch(e -> !e.passed())) {
      failed.add(ExperimentPart.HYPOTHESIS_BEFORE);
    }
    if (methodFailure.isPresent() || methodExpectations.stream().anyMatch(e -> !e.passed())) {
      failed.add(ExperimentPart.METHOD);
    }
    if (hypothesisAfter.stream().anyMatch(e -> !e.passed())) {
      failed.add(ExperimentPart.HYPOTHESIS_AFTER);
    }
    if (rollbacks.stream().anyMatch(r -> !r.succeeded())) {
      failed.add(ExperimentPart.ROLLBACK);
    }
    return new ExperimentVerdict(
        hypothesisBefore, methodRan, methodFailure, hypothesisAfter, rollbacks, failed);
  }

  /** Whether every part passed. */
  public boolean passed() {
    return failedParts.isEmpty();
  }

  /** The parts in words, e.g. {@code experiment failed in: method, rollbacks}, with reasons. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(
        passed()
            ? "experiment passed"
            : "experiment failed in: "
                + String.join(", ", failedParts.stream().map(ExperimentPart::label).toList()));
    if (!methodRan) {
      out.append("\n  method not run: the system was not steady before it");
    }
    methodFailure.ifPresent(f -> out.append("\n  method: ").append(f));
    appendFailed(out, "hypothesis before", hypothesisBefore);
    appendFailed(out, "hypothesis after", hypothesisAfter);
    for (RollbackResult r : rollbacks) {
      r.failure()
          .ifPresent(
              f ->
                  out.append("\n  rollback failed: ")
                      .append(r.description())
                      .append(": ")
                      .append(f));
    }
    return out.toString();
  }

  private static void appendFailed(StringBuilder out, String part, List<ExpectationResult> rs) {
    for (ExpectationResult e : rs) {
      if (!e.passed()) {
        out.append("\n  ")
            .append(part)
            .append(" failed: ")
            .append(e.description())
            .append(": ")
            .append(e.message());
      }
    }
  }
}
