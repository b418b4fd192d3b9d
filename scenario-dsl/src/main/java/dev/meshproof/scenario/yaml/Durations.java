package dev.meshproof.scenario.yaml;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in scenario files, written as Istio writes them: {@code 250ms}, {@code 2s}, {@code
 * 1m30s}.
 */
final class Durations {
  static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$";
  static final String EXPECTED = "a duration such as 250ms, 2s or 1m30s";
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(h|ms|m|s)");

  private Durations() {}

  static Optional<Duration> parse(String text) {
    if (text.isEmpty() || !text.matches(PATTERN)) {
      return Optional.empty();
    }
    Matcher m = PART.matcher(text);
    long nanos = 0;
    while (m.find()) {
      long unit =
          switch (m.group(2)) {
            case "h" -> 3_600_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "s" -> 1_000_000_000L;
            default -> 1_000_000L;
          };
      nanos +=
          new java.math.BigDecimal(m.group(1))
              .multiply(java.math.BigDecimal.valueOf(unit))
              .longValue();
    }
    return Optional.of(Duration.ofNanos(nanos));
  }

  /** The shortest exact form: whole seconds as {@code 2s}, else milliseconds. */
  static String format(Duration d) {
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    if (d.getNano() % 1_000_000 == 0) {
      return d.toMillis() + "ms";
    }
    throw new IllegalArgumentException(
        d + " (expected: a duration to millisecond precision for a scenario file)");
  }
}
