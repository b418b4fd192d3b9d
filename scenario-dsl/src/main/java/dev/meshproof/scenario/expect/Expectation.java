package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import java.util.Map;

/**
 * Something a scenario expects of the mesh, judged from what its requests did. Expectations on
 * random behaviour state their test and alpha up front; none is retried until green.
 */
public interface Expectation {

  /** What is expected, in a line a platform engineer reads in the report. */
  String description();

  ExpectationResult evaluate(Observations observations);

  /**
   * This expectation as a scenario file writes it: one key, its kind ({@code split}, {@code
   * latency}, ...), holding its fields (durations as {@link java.time.Duration}). An expectation
   * written in Java only (a custom implementation) has no file form and says so.
   *
   * @throws UnsupportedOperationException for an expectation with no scenario-file form
   */
  default Map<String, Object> toYaml() {
    throw new UnsupportedOperationException(
        "expectation "
            + getClass().getName()
            + " ("
            + description()
            + ") has no scenario-file form (expected: one of the kinds in"
            + " dev.meshproof.scenario.yaml.ScenarioSchema)");
  }
}
