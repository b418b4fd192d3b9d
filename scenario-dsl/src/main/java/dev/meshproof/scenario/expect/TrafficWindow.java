package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A phase of a traffic block: the requests sent from {@code from} (inclusive) to {@code to}
 * (exclusive), measured from the start of their own traffic block (each block is timed from its own
 * start). It lets a distribution be judged where the mesh's behaviour is stationary, e.g. inside an
 * endpoint's warmup window and after it, as a scenario file's {@code during: {from, to}}.
 *
 * @param from the earliest send time judged
 * @param to the send time from which requests are no longer judged; after {@code from}
 */
public record TrafficWindow(Duration from, Duration to) {

  /** Checks that the window is a non-empty interval of send times. */
  public TrafficWindow {
    if (from == null || from.isNegative()) {
      throw new IllegalArgumentException(
          "from: " + from + " (expected: a duration >= 0 from the traffic's start)");
    }
    if (to == null || to.compareTo(from) <= 0) {
      throw new IllegalArgumentException(
          "to: "
              + (to == null ? null : text(to))
              + " (expected: later than from "
              + text(from)
              + ")");
    }
  }

  /** Whether {@code request} was sent inside this window. */
  public boolean contains(RequestObservation request) {
    return request.sentAt().compareTo(from) >= 0 && request.sentAt().compareTo(to) < 0;
  }

  /** How a description names the window: {@code sent in [9s, 11.5s)}. */
  String describe() {
    return "sent in [" + text(from) + ", " + text(to) + ")";
  }

  /** The window as a scenario file writes it. */
  Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("from", from);
    fields.put("to", to);
    return fields;
  }

  /** A send time as a report line reads it: whole milliseconds, in seconds from 1s (11.5s). */
  private static String text(Duration d) {
    long ms = d.toMillis();
    if (ms >= 1000) {
      return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + "s";
    }
    return ms + "ms";
  }
}
