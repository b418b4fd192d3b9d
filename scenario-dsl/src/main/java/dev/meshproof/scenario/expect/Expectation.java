package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;

/**
 * Something a scenario expects of the mesh, judged from what its requests did. Expectations on
 * random behaviour state their test and alpha up front; none is retried until green.
 */
public interface Expectation {

  /** What is expected, in a line a platform engineer reads in the report. */
  String description();

  ExpectationResult evaluate(Observations observations);
}
