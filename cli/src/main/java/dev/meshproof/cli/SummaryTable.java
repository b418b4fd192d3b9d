package dev.meshproof.cli;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The table {@code meshproof run} prints at the end: one row per scenario and target. */
final class SummaryTable {
  private SummaryTable() {}

  static String render(List<ScenarioResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"SCENARIO", "TARGET", "RESULT", "EXPECTATIONS", "REQUESTS", "P99", "TIME"});
    for (ScenarioResult r : results) {
      long passed = r.expectations().stream().filter(e -> e.passed()).count();
      rows.add(
          new String[] {
            r.scenario(),
            r.target(),
            r.status().name(),
            r.status() == Status.SKIPPED ? "-" : passed + "/" + r.expectations().size(),
            String.valueOf(r.traffic().sent()),
            r.traffic().sent() == 0
                ? "-"
                : String.format(Locale.ROOT, "%.1fms", r.traffic().p99Millis()),
            RunCommand.seconds(r.duration().toNanos())
          });
    }
    long passed = results.stream().filter(r -> r.status() == Status.PASSED).count();
    long failed = results.stream().filter(r -> r.status() == Status.FAILED).count();
    long skipped = results.size() - passed - failed;
    return table(rows)
        + String.format(
            Locale.ROOT,
            "%d passed, %d failed, %d skipped (target unavailable)%n",
            passed,
            failed,
            skipped);
  }

  static String table(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        out.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      out.append(System.lineSeparator());
    }
    return out.toString();
  }
}
