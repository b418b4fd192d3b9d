package dev.meshproof.runtime.telemetry;

import java.time.Duration;
import java.util.Optional;

/**
 * Evidence of one upstream attempt of a request, as the sidecar's router made it: which attempt,
 * the host it went to, how it ended (a status, or a failure with its flag) and how long it took.
 * Envoy logs only the last attempt's host; the embedded sidecar keeps every attempt so a report can
 * show why a request was retried.
 *
 * @param number the 1-based attempt number (the {@code x-envoy-attempt-count} it carried)
 * @param host the upstream host, {@code ip:port}
 * @param status the response status, or 0 when no response arrived
 * @param flag the failure's flag (UF, UC, UT), empty for a response
 * @param duration from the attempt's start to its end
 */
public record UpstreamAttempt(
    int number, String host, int status, Optional<ResponseFlag> flag, Duration duration) {
  public UpstreamAttempt {
    if (number < 1) {
      throw new IllegalArgumentException("number: " + number + " (expected: >= 1)");
    }
  }

  @Override
  public String toString() {
    return "#"
        + number
        + " "
        + host
        + " "
        + (status == 0 ? flag.map(ResponseFlag::code).orElse("-") : status)
        + " "
        + duration.toMillis()
        + "ms";
  }
}
