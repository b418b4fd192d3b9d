package dev.meshproof.reports;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.TrafficTimeline;
import java.util.List;
import java.util.Locale;

/**
 * The run's traffic over time as one inline SVG of three panels on a shared time axis (throughput,
 * error rate hatched, p50 and p99 latency), with every chaos fault's window shaded and numbered
 * across the panels, so an error burst can be read against the fault that caused it. The buckets
 * follow as a table, so no figure depends on the picture.
 */
final class TimelineEvidence implements EvidenceRenderer {

  private static final int WIDTH = 640;
  private static final int LEFT = 78;
  private static final int RIGHT = 12;
  private static final int PLOT = WIDTH - LEFT - RIGHT;
  private static final int PANEL = 56;
  private static final int GAP = 16;
  private static final int TOP = 18;

  @Override
  public String drawRun(ScenarioResult run, EvidenceHtml html) {
    TrafficTimeline t = run.timeline();
    if (t == null || t.buckets().isEmpty()) {
      return "";
    }
    List<TrafficTimeline.Bucket> buckets = t.buckets();
    double end = buckets.size() * t.bucketMillis();
    for (TrafficTimeline.FaultWindow f : t.faults()) {
      end = Math.max(end, f.toMillis());
    }
    double seconds = t.bucketMillis() / 1000.0;
    double maxRate = buckets.stream().mapToDouble(b -> b.requests() / seconds).max().orElse(0);
    double maxLatency =
        buckets.stream()
            .flatMapToDouble(b -> java.util.stream.DoubleStream.of(b.p50Millis(), b.p99Millis()))
            .filter(Double::isFinite)
            .max()
            .orElse(0);
    String id = html.newId("timeline");
    int height = TOP + 3 * PANEL + 2 * GAP + 30;
    StringBuilder svg = new StringBuilder();
    svg.append(
        format(
            "<svg class=\"chart timeline\" role=\"img\" aria-labelledby=\"%s-title\" viewBox=\"0 0"
                + " %d %d\" width=\"%d\" height=\"%d\"><title id=\"%s-title\">%s</title>",
            id,
            WIDTH,
            height,
            WIDTH,
            height,
            id,
            html.escape(
                "Requests over time in "
                    + Html.millis(t.bucketMillis())
                    + " ms buckets: throughput, error rate, p50 and p99 latency"
                    + (t.faults().isEmpty() ? "" : ", chaos fault windows shaded"))));
    svg.append("<defs><pattern id=\"")
        .append(id)
        .append("-alert\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"")
        .append(
            " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#cf222e\"/>")
        .append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffebe9\" stroke-width=\"2\"/>")
        .append("</pattern></defs>");
    svg.append(
        format(
            "<text class=\"legend\" x=\"%d\" y=\"12\">p50 solid, p99 dashed; errors hatched%s</text>",
            LEFT, t.faults().isEmpty() ? "" : "; numbered bands: chaos faults in force"));
    double barWidth = PLOT * t.bucketMillis() / end;
    double bucketPx = Math.max(1.0, barWidth - 1);
    int y0 = TOP;
    int y1 = TOP + PANEL + GAP;
    int y2 = TOP + 2 * (PANEL + GAP);
    panelFrame(svg, y0, "req/s", maxRate, Html.decimal(maxRate));
    panelFrame(svg, y1, "errors", 1, "100%");
    panelFrame(svg, y2, "latency ms", maxLatency, Html.millis(maxLatency));
    StringBuilder p50 = new StringBuilder();
    StringBuilder p99 = new StringBuilder();
    boolean lineOpen = false;
    for (TrafficTimeline.Bucket b : buckets) {
      double x = LEFT + PLOT * b.startMillis() / end;
      double rate = b.requests() / seconds;
      bar(svg, x, bucketPx, y0, maxRate > 0 ? rate / maxRate : 0, "#0969da");
      double errorRate = b.errorRate();
      if (Double.isFinite(errorRate) && b.errors() > 0) {
        bar(svg, x, bucketPx, y1, errorRate, "url(#" + id + "-alert)");
      }
      if (Double.isFinite(b.p50Millis()) && maxLatency > 0) {
        double cx = x + barWidth / 2;
        String op = lineOpen ? "L" : "M";
        p50.append(format("%s%.1f %.1f ", op, cx, y2 + PANEL - PANEL * b.p50Millis() / maxLatency));
        p99.append(format("%s%.1f %.1f ", op, cx, y2 + PANEL - PANEL * b.p99Millis() / maxLatency));
        lineOpen = true;
      } else {
        // An empty bucket breaks the line rather than interpolating across it.
        lineOpen = false;
      }
    }
    if (p50.length() > 0) {
      svg.append("<path class=\"p50\" d=\"").append(p50.toString().strip()).append("\"/>");
      svg.append("<path class=\"p99\" d=\"").append(p99.toString().strip()).append("\"/>");
    }
    int n = 0;
    for (TrafficTimeline.FaultWindow f : t.faults()) {
      n++;
      double x = LEFT + PLOT * f.fromMillis() / end;
      double w = Math.max(2, PLOT * (f.toMillis() - f.fromMillis()) / end);
      svg.append(
          format(
              "<rect class=\"fault\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>%s</title></rect>"
                  + "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%d</text>",
              x,
              TOP,
              w,
              3 * PANEL + 2 * GAP,
              html.escape(
                  n
                      + ". "
                      + f.fault()
                      + " from "
                      + Html.millis(f.fromMillis())
                      + " to "
                      + Html.millis(f.toMillis())
                      + " ms"),
              x + 3,
              TOP + PANEL + 12,
              n));
    }
    int axis = TOP + 3 * PANEL + 2 * GAP + 14;
    for (int i = 0; i <= 4; i++) {
      double ms = end * i / 4;
      svg.append(
          format(
              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s ms</text>",
              LEFT + PLOT * i / 4.0,
              axis,
              i == 0 ? "start" : i == 4 ? "end" : "middle",
              Html.millis(ms)));
    }
    svg.append("</svg>");

    StringBuilder out = new StringBuilder();
    out.append("<h5>Traffic over time</h5>\n<figure><figcaption>")
        .append(buckets.size())
        .append(" buckets of ")
        .append(Html.millis(t.bucketMillis()))
        .append(" ms by send time (client-observed latency)</figcaption>")
        .append(svg)
        .append("</figure>\n");
    if (!t.faults().isEmpty()) {
      out.append("<ol class=\"faults\">\n");
      for (TrafficTimeline.FaultWindow f : t.faults()) {
        out.append("<li><code>")
            .append(html.escape(f.fault()))
            .append("</code> in force from ")
            .append(Html.millis(f.fromMillis()))
            .append(" to ")
            .append(Html.millis(f.toMillis()))
            .append(" ms</li>\n");
      }
      out.append("</ol>\n");
    }
    out.append("<details><summary>Buckets as a table</summary>\n<table>\n<thead><tr>");
    for (String h :
        List.of("From ms", "Requests", "req/s", "Errors", "Error rate", "p50 ms", "p99 ms")) {
      out.append("<th scope=\"col\" class=\"num\">").append(h).append("</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    for (TrafficTimeline.Bucket b : buckets) {
      out.append("<tr>");
      for (String v :
          List.of(
              Html.millis(b.startMillis()),
              Long.toString(b.requests()),
              Html.decimal(b.requests() / seconds),
              Long.toString(b.errors()),
              Html.percent(b.errorRate()),
              Html.millis(b.p50Millis()),
              Html.millis(b.p99Millis()))) {
        out.append("<td class=\"num\">").append(v).append("</td>");
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n</details>\n");
    return out.toString();
  }

  private static void panelFrame(StringBuilder svg, int y, String label, double max, String top) {
    svg.append(
        format(
            "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                + "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                + "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
            LEFT - 6,
            y + PANEL / 2 + 4,
            label,
            LEFT - 6,
            y + 9,
            max > 0 ? top : "0",
            LEFT,
            y + PANEL,
            LEFT + PLOT,
            y + PANEL));
  }

  private static void bar(
      StringBuilder svg, double x, double width, int y, double fraction, String fill) {
    double h = PANEL * Math.min(1, Math.max(0, fraction));
    if (h <= 0) {
      return;
    }
    svg.append(
        format(
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
            x, y + PANEL - h, width, h, fill));
  }

  private static String format(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
