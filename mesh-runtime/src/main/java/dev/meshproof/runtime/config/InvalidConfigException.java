package dev.meshproof.runtime.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when Istio YAML cannot be applied. Its message lists every problem found (not only the
 * first), one per line, each with file, line, column, field and what is allowed.
 */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  public InvalidConfigException(List<ConfigProblem> problems) {
    super(
        "invalid Istio configuration ("
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
