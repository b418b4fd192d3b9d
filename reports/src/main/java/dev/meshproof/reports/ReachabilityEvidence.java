package dev.meshproof.reports;

import dev.meshproof.scenario.expect.ReachabilityExpectation;
import dev.meshproof.scenario.result.ExpectationResult;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A reachability expectation's matrix: callers down, callees across, each cell the expected
 * outcome, what was observed (requests that reached the app, how the others ended, the identity the
 * callee saw) and whether they agree. Cells come from the expectation's statistics ({@code reach
 * <from> → <to>}: {@code expected ...; observed ...; <evidence>; ok|failed}), so the matrix
 * survives the round trip through {@code meshproof-report.json}.
 */
final class ReachabilityEvidence implements EvidenceRenderer {

  private record Cell(String expected, String observed, String evidence, boolean ok) {}

  @Override
  public String drawExpectation(ExpectationResult e, EvidenceHtml html) {
    Map<String, Map<String, Cell>> rows = new LinkedHashMap<>();
    Set<String> callees = new LinkedHashSet<>();
    e.statistics()
        .forEach(
            (key, value) -> {
              if (!key.startsWith(ReachabilityExpectation.CELL_PREFIX)
                  || !key.contains(ReachabilityExpectation.ARROW)) {
                return;
              }
              String pair = key.substring(ReachabilityExpectation.CELL_PREFIX.length());
              int arrow = pair.indexOf(ReachabilityExpectation.ARROW);
              String from = pair.substring(0, arrow);
              String to = pair.substring(arrow + ReachabilityExpectation.ARROW.length());
              String[] parts = value.split("; ", 4);
              if (parts.length < 4) {
                return;
              }
              callees.add(to);
              rows.computeIfAbsent(from, f -> new LinkedHashMap<>())
                  .put(
                      to,
                      new Cell(
                          parts[0].replaceFirst("^expected ", ""),
                          parts[1].replaceFirst("^observed ", ""),
                          parts[2],
                          parts[3].equals("ok")));
            });
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<table class=\"reachability\">\n<caption>Reachability: who can call whom")
        .append(" (caller down, callee across; expected / observed)</caption>\n<thead><tr>")
        .append("<th scope=\"col\">Caller \\ callee</th>");
    for (String to : callees) {
      out.append("<th scope=\"col\">").append(html.escape(to)).append("</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    rows.forEach(
        (from, cells) -> {
          out.append("<tr><th scope=\"row\">").append(html.escape(from)).append("</th>");
          for (String to : callees) {
            Cell cell = cells.get(to);
            if (cell == null) {
              out.append("<td>not stated</td>");
              continue;
            }
            out.append("<td class=\"")
                .append(cell.ok() ? "passed" : "failed")
                .append("\" title=\"")
                .append(html.escape(cell.evidence()))
                .append("\">")
                .append(cell.ok() ? "" : "≠ ")
                .append(html.escape(cell.expected()))
                .append(" / ")
                .append(html.escape(cell.observed()))
                .append("<br><small>")
                .append(html.escape(cell.evidence()))
                .append("</small></td>");
          }
          out.append("</tr>\n");
        });
    out.append("</tbody>\n</table>\n");
    return out.toString();
  }
}
