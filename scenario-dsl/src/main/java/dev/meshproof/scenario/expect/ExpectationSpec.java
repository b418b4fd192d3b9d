package dev.meshproof.scenario.expect;

/** A configured expectation not built yet, so the DSL reads without a trailing {@code build()}. */
public interface ExpectationSpec {
  Expectation build();
}
