package dev.meshproof.scenario.load;

/**
 * Told the outcome of every request of a phase that ends before the phase is sealed (requests still
 * open then are the phase's timeouts and are not reported here: the caller knows which sequence
 * numbers it did not hear of). Called on the connections' event loops: keep it short.
 */
@FunctionalInterface
public interface LoadListener {

  void outcome(long index, LoadOutcome outcome);
}
