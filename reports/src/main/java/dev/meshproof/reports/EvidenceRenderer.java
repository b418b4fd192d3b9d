package dev.meshproof.reports;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;

/**
 * Draws one kind of evidence in the HTML report: a chart or table for a run (traffic, latency,
 * failed requests, ...) or under one expectation (a split's bars, ...). The report's core knows
 * none of them: it asks every registered renderer, in order, and places what each returns. A new
 * kind of evidence becomes drawable by adding a renderer, built in ({@link EvidenceRenderers}) or
 * from another module through {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.meshproof.reports.EvidenceRenderer}).
 *
 * <p>Renderers return HTML fragments; every string taken from a result must go through {@link
 * EvidenceHtml#escape(String)}. An empty string means "nothing to draw here".
 */
public interface EvidenceRenderer {

  /** Evidence about a whole run on one target, placed after its expectations. */
  default String drawRun(ScenarioResult run, EvidenceHtml html) {
    return "";
  }

  /** Evidence under one expectation (of a run, or a comparison across targets). */
  default String drawExpectation(ExpectationResult expectation, EvidenceHtml html) {
    return "";
  }
}
