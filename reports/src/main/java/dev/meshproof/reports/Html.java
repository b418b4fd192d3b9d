package dev.meshproof.reports;

import java.util.Locale;

/** Escaping and number formatting shared by the HTML report and its SVG charts. */
final class Html {

  private Html() {}

  /**
   * Escapes text for element content and quoted attribute values (HTML and inline SVG alike). Every
   * string that came from a scenario, a target or a mesh goes through here.
   */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // Control characters other than tab/newline are not allowed in HTML text.
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            out.append("&#xFFFD;");
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A fraction as a percentage with two decimals, or an em dash when undefined. */
  static String percent(double fraction) {
    return Double.isFinite(fraction)
        ? String.format(Locale.ROOT, "%.2f%%", fraction * 100)
        : "\u2014";
  }

  /** Milliseconds with one decimal, or an em dash when undefined. */
  static String millis(double millis) {
    return Double.isFinite(millis) ? String.format(Locale.ROOT, "%.1f", millis) : "\u2014";
  }

  /** A real number with one decimal, or an em dash when undefined. */
  static String decimal(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1f", value) : "\u2014";
  }

  /** A byte count in B, KiB or MiB. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
