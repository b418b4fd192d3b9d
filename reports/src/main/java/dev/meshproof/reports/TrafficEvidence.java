package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.TrafficSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a run's traffic did: counts by outcome, the status mix (errors hatched) and the latency
 * percentiles, as a table and two bar charts.
 */
final class TrafficEvidence implements EvidenceRenderer {

  @Override
  public String drawRun(ScenarioResult run, EvidenceHtml html) {
    TrafficSummary t = run.traffic();
    if (t == null || t.sent() == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("<h5>Traffic</h5>\n<div class=\"figures\">\n<table>\n<caption>Requests</caption>")
        .append("\n<thead><tr>");
    for (String h :
        List.of(
            "Sent",
            "Responses",
            "Connect failures",
            "Resets",
            "Timeouts",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms")) {
      out.append("<th scope=\"col\" class=\"num\">").append(h).append("</th>");
    }
    out.append("</tr></thead>\n<tbody><tr>");
    for (String v :
        List.of(
            Long.toString(t.sent()),
            Long.toString(t.responses()),
            Long.toString(t.connectFailures()),
            Long.toString(t.resets()),
            Long.toString(t.timeouts()),
            Html.millis(t.p50Millis()),
            Html.millis(t.p90Millis()),
            Html.millis(t.p99Millis()),
            Html.millis(t.maxMillis()))) {
      out.append("<td class=\"num\">").append(v).append("</td>");
    }
    out.append("</tr></tbody>\n</table>\n");

    List<BarChart.Bar> mix = new ArrayList<>();
    Map<Integer, Long> statuses = ReportDocument.sortedStatusCounts(t);
    statuses.forEach((code, count) -> mix.add(bar(code.toString(), count, t.sent(), code >= 500)));
    if (t.connectFailures() > 0) {
      mix.add(bar("connect failure", t.connectFailures(), t.sent(), true));
    }
    if (t.resets() > 0) {
      mix.add(bar("reset", t.resets(), t.sent(), true));
    }
    if (t.timeouts() > 0) {
      mix.add(bar("timeout", t.timeouts(), t.sent(), true));
    }
    out.append("<figure><figcaption>Outcome mix (errors hatched)</figcaption>")
        .append(html.barChart("Outcome of each request sent: HTTP status or failure", mix))
        .append("</figure>\n");
    List<BarChart.Bar> latency =
        List.of(
            new BarChart.Bar("p50", t.p50Millis(), Html.millis(t.p50Millis()) + " ms", false),
            new BarChart.Bar("p90", t.p90Millis(), Html.millis(t.p90Millis()) + " ms", false),
            new BarChart.Bar("p99", t.p99Millis(), Html.millis(t.p99Millis()) + " ms", false),
            new BarChart.Bar("max", t.maxMillis(), Html.millis(t.maxMillis()) + " ms", false));
    out.append("<figure><figcaption>Latency percentiles (client-observed)</figcaption>")
        .append(html.barChart("Client-observed latency percentiles in milliseconds", latency))
        .append("</figure>\n</div>\n");
    return out.toString();
  }

  private static BarChart.Bar bar(String label, long count, long sent, boolean alert) {
    return new BarChart.Bar(
        label, count, count + " (" + Html.percent((double) count / sent) + ")", alert);
  }
}
