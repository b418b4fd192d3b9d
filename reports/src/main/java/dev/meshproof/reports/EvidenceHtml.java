package dev.meshproof.reports;

import java.util.List;

/**
 * What an {@link EvidenceRenderer} may use to draw: escaping, ids unique in the page (for SVG
 * titles and patterns), number formats and a horizontal bar chart.
 */
public final class EvidenceHtml {

  private int ids;

  EvidenceHtml() {}

  /** Escapes text for element content and quoted attribute values. */
  public String escape(String text) {
    return Html.escape(text);
  }

  /** An id unique in the page, starting with {@code prefix} (letters, digits, {@code -}). */
  public String newId(String prefix) {
    return prefix + "-" + (++ids);
  }

  /** A fraction as a percentage with two decimals, or an em dash when undefined. */
  public String percent(double fraction) {
    return Html.percent(fraction);
  }

  /** Milliseconds with one decimal, or an em dash when undefined. */
  public String millis(double millis) {
    return Html.millis(millis);
  }

  /**
   * A horizontal bar chart: one bar per row, its length the row's fraction of the longest, its
   * value written beside it (so colour is never the only signal).
   *
   * @param title the chart's accessible name
   */
  public String barChart(String title, List<BarChart.Bar> bars) {
    return BarChart.svg(title, bars, newId("bars"));
  }
}
