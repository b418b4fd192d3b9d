package dev.meshproof.reports;

import java.util.List;
import java.util.Locale;

/**
 * An inline SVG horizontal bar chart: a label, a bar scaled to the largest value and the value as
 * text, per row. Used for status mixes and latency percentiles.
 */
public final class BarChart {

  /**
   * One bar.
   *
   * @param label the category, e.g. {@code 503} or {@code p99}
   * @param value its size (a count, milliseconds, ...), non-negative; bars are scaled to the max
   * @param text what is written beside the bar, e.g. {@code 40 (8.00%)}
   * @param alert drawn hatched as well as coloured, e.g. an error status
   */
  public record Bar(String label, double value, String text, boolean alert) {}

  private static final int WIDTH = 640;
  private static final int LABEL_WIDTH = 110;
  private static final int VALUE_WIDTH = 150;
  private static final int PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  private static final int BAR = 14;
  private static final int ROW = BAR + 8;

  private BarChart() {}

  static String svg(String title, List<Bar> bars, String id) {
    double max = bars.stream().mapToDouble(Bar::value).filter(Double::isFinite).max().orElse(0);
    int height = bars.size() * ROW + 8;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" role=\"img\" aria-labelledby=\"%s-title\" viewBox=\"0 0 %d %d\""
                + " width=\"%d\" height=\"%d\"><title id=\"%s-title\">%s</title>",
            id,
            WIDTH,
            height,
            WIDTH,
            height,
            id,
            Html.escape(title)));
    svg.append("<defs><pattern id=\"")
        .append(id)
        .append("-alert\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"")
        .append(
            " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#cf222e\"/>")
        .append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffebe9\" stroke-width=\"2\"/>")
        .append("</pattern></defs>");
    int y = 4;
    for (Bar bar : bars) {
      double length = max > 0 && Double.isFinite(bar.value()) ? PLOT_WIDTH * bar.value() / max : 0;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                  + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                  + "<text class=\"value\" x=\"%.1f\" y=\"%d\">%s</text>",
              LABEL_WIDTH - 8,
              y + BAR - 3,
              Html.escape(bar.label()),
              LABEL_WIDTH,
              y,
              Math.max(length, 1.0),
              BAR,
              bar.alert() ? "url(#" + id + "-alert)" : "#0969da",
              LABEL_WIDTH + Math.max(length, 1.0) + 6,
              y + BAR - 3,
              Html.escape(bar.text())));
      y += ROW;
    }
    return svg.append("</svg>").toString();
  }
}
