package dev.meshproof.scenario.yaml;

import dev.meshproof.runtime.config.ConfigProblem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A scenario file that cannot run. Its message lists every problem found, one per line, each with
 * file:line:column, the field path, what was found and what is allowed; nothing of it runs.
 */
public final class InvalidScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public InvalidScenarioException(List<ConfigProblem> problems) {
    super(
        "invalid scenario ("
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + "):\n  "
            + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
