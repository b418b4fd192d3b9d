package dev.meshproof.reports;

import dev.meshproof.scenario.result.DistributionRow;
import java.util.List;
import java.util.Locale;

/**
 * An inline SVG bar chart of observed against expected fraction per category: one solid bar
 * (observed) above one hatched bar (expected) per row, on a shared axis. Inline so the report is a
 * single file that opens offline.
 */
final class DistributionChart {

  private static final int WIDTH = 640;
  private static final int LABEL_WIDTH = 150;
  private static final int VALUE_WIDTH = 70;
  private static final int PLOT_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  private static final int TOP = 28;
  private static final int BAR = 12;
  private static final int ROW = 2 * BAR + 14;
  private static final int MAX_LABEL_CHARS = 20;

  private DistributionChart() {}

  /** Renders the chart; {@code title} becomes its accessible name. */
  static String svg(String title, List<DistributionRow> rows, String idPrefix) {
    double scale = scaleMax(rows);
    int height = TOP + rows.size() * ROW + 6;
    StringBuilder svg = new StringBuilder();
    String titleId = idPrefix + "-title";
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" role=\"img\" aria-labelledby=\"%s\" viewBox=\"0 0 %d %d\""
                + " width=\"%d\" height=\"%d\">",
            titleId,
            WIDTH,
            height,
            WIDTH,
            height));
    svg.append("<title id=\"")
        .append(titleId)
        .append("\">")
        .append(Html.escape(title))
        .append("</title>");
    svg.append("<defs><pattern id=\"")
        .append(idPrefix)
        .append("-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"")
        .append(
            " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eef1f4\"/>")
        .append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6e7781\" stroke-width=\"2\"/>")
        .append("</pattern></defs>");
    legend(svg, idPrefix);
    axis(svg, scale, height);
    int y = TOP;
    for (DistributionRow row : rows) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
              LABEL_WIDTH - 8,
              y + BAR + 4,
              Html.escape(shorten(row.category()))));
      bar(svg, y, row.observedFraction(), scale, "fill=\"#0969da\"", "observed");
      bar(
          svg,
          y + BAR,
          row.expectedFraction(),
          scale,
          "fill=\"url(#" + idPrefix + "-hatch)\" stroke=\"#6e7781\"",
          "expected");
      y += ROW;
    }
    return svg.append("</svg>").toString();
  }

  private static void legend(StringBuilder svg, String idPrefix) {
    int x = LABEL_WIDTH;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"2\" width=\"12\" height=\"10\" fill=\"#0969da\"/>"
                + "<text class=\"legend\" x=\"%d\" y=\"11\">observed</text>"
                + "<rect x=\"%d\" y=\"2\" width=\"12\" height=\"10\" fill=\"url(#%s-hatch)\""
                + " stroke=\"#6e7781\"/><text class=\"legend\" x=\"%d\" y=\"11\">expected</text>",
            x,
            x + 16,
            x + 90,
            idPrefix,
            x + 106));
  }

  private static void axis(StringBuilder svg, double scale, int height) {
    int ticks = (int) Math.round(scale * 10);
    // Five or fewer gridlines keep the labels readable; at 100% a tick every 20 points.
    int step = ticks > 5 ? 2 : 1;
    for (int i = 0; i <= ticks; i += step) {
      double x = LABEL_WIDTH + PLOT_WIDTH * (i / 10.0) / scale;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d0d7de\"/>"
                  + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>",
              x,
              TOP - 4,
              x,
              height - 4,
              x,
              TOP - 7,
              i * 10));
    }
  }

  private static void bar(
      StringBuilder svg, int y, double fraction, double scale, String paint, String what) {
    if (!Double.isFinite(fraction)) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text class=\"value\" x=\"%d\" y=\"%d\">no %s figure</text>",
              LABEL_WIDTH + 4,
              y + BAR - 2,
              what));
      return;
    }
    double width = Math.max(0, PLOT_WIDTH * Math.min(fraction, scale) / scale);
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" %s><title>%s %s</title></rect>"
                + "<text class=\"value\" x=\"%.1f\" y=\"%d\">%s</text>",
            LABEL_WIDTH,
            y,
            width,
            BAR - 1,
            paint,
            what,
            Html.percent(fraction),
            LABEL_WIDTH + width + 4,
            y + BAR - 2,
            Html.percent(fraction)));
  }

  /** The axis maximum: the largest fraction rounded up to a tenth, so small splits stay visible. */
  static double scaleMax(List<DistributionRow> rows) {
    double max = 0;
    for (DistributionRow row : rows) {
      if (Double.isFinite(row.observedFraction())) {
        max = Math.max(max, row.observedFraction());
      }
      if (Double.isFinite(row.expectedFraction())) {
        max = Math.max(max, row.expectedFraction());
      }
    }
    double tenths = Math.ceil(Math.min(max, 1.0) * 10 - 1e-9);
    return Math.max(1, tenths) / 10;
  }

  private static String shorten(String label) {
    String text = label == null ? "" : label;
    return text.length() <= MAX_LABEL_CHARS
        ? text
        : text.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
  }
}
