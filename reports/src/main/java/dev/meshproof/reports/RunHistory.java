package dev.meshproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshproof.scenario.result.ScenarioResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which verdicts changed since a previous run: read from that run's {@code meshproof-report.json}
 * and compared test by test and target by target. A test or target new in this run, or gone from
 * it, is a change too ({@code none} on the side where it is missing).
 *
 * @param previousDate when the previous run finished, as its report says
 * @param changes the changed verdicts, in this run's catalogue order (then removed tests)
 */
public record RunHistory(String previousDate, List<Change> changes) {

  /** A verdict that is not what it was: {@code before} and {@code after} are lower-case. */
  public record Change(String testId, String target, String before, String after) {}

  /** The verdict on the side where a test or target does not exist. */
  static final String NONE = "none";

  /** The "whole test" row of a change, as opposed to one target's. */
  static final String ALL_TARGETS = "all targets";

  public RunHistory {
    changes = List.copyOf(changes);
  }

  /**
   * Compares {@code report} with the previous run's evidence file, if it exists.
   *
   * @throws IOException if the file exists but cannot be read
   * @throws IllegalArgumentException if the file is not a Meshproof report, naming what is missing
   */
  static Optional<RunHistory> compare(ConformanceReport report, Path previousEvidence)
      throws IOException {
    if (previousEvidence == null || !Files.isRegularFile(previousEvidence)) {
      return Optional.empty();
    }
    JsonNode previous = new ObjectMapper().readTree(previousEvidence.toFile());
    JsonNode tests = previous.path("tests");
    if (!tests.isArray()) {
      throw new IllegalArgumentException(
          previousEvidence
              + ": tests: "
              + (tests.isMissingNode() ? "missing" : tests.getNodeType())
              + " (expected: the array of a "
              + ReportWriter.EVIDENCE
              + ")");
    }
    Map<String, Map<String, String>> before = new LinkedHashMap<>();
    for (JsonNode test : tests) {
      Map<String, String> verdicts = new LinkedHashMap<>();
      verdicts.put(ALL_TARGETS, test.path("result").asText(NONE));
      for (JsonNode run : test.path("targets")) {
        verdicts.put(run.path("target").asText(), run.path("status").asText(NONE));
      }
      before.put(test.path("id").asText(), verdicts);
    }
    List<Change> changes = new ArrayList<>();
    for (ConformanceTestResult test : report.tests()) {
      Map<String, String> was = before.remove(test.id());
      Map<String, String> now = new LinkedHashMap<>();
      now.put(ALL_TARGETS, ReportDocument.status(test.result()));
      for (ScenarioResult run : test.results()) {
        now.put(run.target(), ReportDocument.status(run.status()));
      }
      Map<String, String> old = was == null ? Map.of() : was;
      now.forEach(
          (target, verdict) -> {
            String then = old.getOrDefault(target, NONE);
            if (!then.equals(verdict)) {
              changes.add(new Change(test.id(), target, then, verdict));
            }
          });
      old.keySet().stream()
          .filter(t -> !now.containsKey(t))
          .forEach(t -> changes.add(new Change(test.id(), t, old.get(t), NONE)));
    }
    before.forEach(
        (id, verdicts) ->
            changes.add(new Change(id, ALL_TARGETS, verdicts.get(ALL_TARGETS), NONE)));
    return Optional.of(new RunHistory(previous.path("date").asText("unknown"), changes));
  }
}
