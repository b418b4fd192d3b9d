package dev.meshproof.scenario.result;

/** The parts of a chaos experiment, in the order they run; a verdict names the ones that failed. */
public enum ExperimentPart {
  /** The steady-state hypothesis checked before the method: the system was not steady to start. */
  HYPOTHESIS_BEFORE("steady-state hypothesis before the method"),
  /** The method: a fault could not be applied or reverted, or a method expectation failed. */
  METHOD("method"),
  /** The steady-state hypothesis checked after the method: the system did not recover. */
  HYPOTHESIS_AFTER("steady-state hypothesis after the method"),
  /** A rollback failed: the system may not be back as it was. */
  ROLLBACK("rollbacks");

  private final String label;

  ExperimentPart(String label) {
    this.label = label;
  }

  /** The part in words, for messages. */
  public String label() {
    return label;
  }
}
