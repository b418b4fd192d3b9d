package dev.meshproof.scenario.load;

import java.util.List;
import java.util.Map;

/**
 * How one request of a phase ended, as told to a {@link LoadListener}: a response (any status, with
 * its headers, lower-case names, and body), a connection error (refused, reset, closed before the
 * answer) or a timeout. Times are {@link System#nanoTime()} values: the intended start (open loop:
 * {@code start + i/rate}, from which latency is measured), when it went on the wire, and the end;
 * and, on the wall clock (nanoseconds since the epoch, 0 when unknown), when the first body bytes
 * arrived (HTTP/2: the first DATA frame), to compare with when the service says it sent them.
 */
public record LoadOutcome(
    Kind kind,
    int status,
    Map<String, List<String>> headers,
    byte[] body,
    long intendedStartNanos,
    long sentNanos,
    long endNanos,
    long firstBodyUnixNanos) {

  /** An outcome without the first body bytes' arrival time. */
  public LoadOutcome(
      Kind kind,
      int status,
      Map<String, List<String>> headers,
      byte[] body,
      long intendedStartNanos,
      long sentNanos,
      long endNanos) {
    this(kind, status, headers, body, intendedStartNanos, sentNanos, endNanos, 0);
  }

  /** The ways a request ends; every issued request ends in exactly one. */
  public enum Kind {
    RESPONSE,
    CONNECTION_ERROR,
    TIMEOUT
  }

  /** Latency from the intended start, so queueing behind a stalled answer is charged. */
  public long latencyNanos() {
    return endNanos - intendedStartNanos;
  }
}
