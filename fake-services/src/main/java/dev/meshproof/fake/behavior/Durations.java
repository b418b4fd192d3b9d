package dev.meshproof.fake.behavior;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the duration strings people type in knobs and control calls: {@code 200ms}, {@code 1.5s},
 * {@code 2m}, {@code 500us}, {@code 0}, or ISO-8601 ({@code PT0.2S}). Istio writes its timeouts the
 * same way ({@code timeout: 0.5s}), so scenario authors need not learn a second syntax.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

  /** What {@link #parse} accepts, for error messages. */
  public static final String EXPECTED = "a duration like 200ms, 1.5s, 2m or PT0.2S";

  private Durations() {}

  /**
   * Parses {@code text}; throws {@link IllegalArgumentException} saying what is accepted.
   *
   * @throws IllegalArgumentException when the text is not a non-negative duration
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(t);
    Duration d;
    if (m.matches()) {
      BigDecimal amount = new BigDecimal(m.group(1));
      BigDecimal nanosPerUnit =
          BigDecimal.valueOf(
              switch (m.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
              });
      d = Duration.ofNanos(amount.multiply(nanosPerUnit).longValue());
    } else {
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("\"" + t + "\" (expected: " + EXPECTED + ")", e);
      }
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("\"" + t + "\" (expected: a non-negative duration)");
    }
    return d;
  }

  /** Formats as {@code 200ms} when whole milliseconds, else ISO-8601. */
  public static String format(Duration d) {
    if (d.toNanos() % 1_000_000 == 0) {
      return d.toMillis() + "ms";
    }
    return d.toString();
  }
}
