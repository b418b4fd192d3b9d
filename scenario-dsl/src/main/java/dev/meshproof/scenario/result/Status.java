package dev.meshproof.scenario.result;

/** How a scenario run on one target ended. */
public enum Status {
  /** Every expectation held. */
  PASSED,
  /** At least one expectation did not hold, or the mesh rejected the configuration. */
  FAILED,
  /** The target is not available here (e.g. no Envoy binary); the reason says how to enable it. */
  SKIPPED
}
