package dev.meshproof.reports;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import java.util.List;

/** An expectation's distribution: observed against expected per category, as a table and bars. */
final class SplitEvidence implements EvidenceRenderer {

  @Override
  public String drawExpectation(ExpectationResult e, EvidenceHtml html) {
    List<DistributionRow> rows = e.distribution();
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<table>\n<caption>Observed against expected</caption>\n<thead><tr>")
        .append("<th scope=\"col\">Category</th><th scope=\"col\" class=\"num\">Observed</th>")
        .append("<th scope=\"col\" class=\"num\">Observed %</th>")
        .append("<th scope=\"col\" class=\"num\">Expected %</th>")
        .append("<th scope=\"col\" class=\"num\">Expected count</th></tr></thead>\n<tbody>\n");
    for (DistributionRow row : rows) {
      out.append("<tr><th scope=\"row\">")
          .append(html.escape(row.category()))
          .append("</th><td class=\"num\">")
          .append(row.observed())
          .append("</td><td class=\"num\">")
          .append(Html.percent(row.observedFraction()))
          .append("</td><td class=\"num\">")
          .append(Html.percent(row.expectedFraction()))
          .append("</td><td class=\"num\">")
          .append(Html.decimal(row.expectedCount()))
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table>\n")
        .append(
            DistributionChart.svg(
                "Observed against expected share per category: " + e.description(),
                rows,
                html.newId("chart")))
        .append('\n');
    return out.toString();
  }
}
