package dev.meshproof.runtime.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one request sent into the mesh ended: a response (any status), or a connection failure, reset
 * or timeout. Every request yields exactly one outcome, so none is silently lost.
 */
public record HttpOutcome(
    Kind kind,
    int status,
    Map<String, List<String>> headers,
    String body,
    Duration latency,
    String error,
    long firstBodyUnixNanos,
    java.nio.ByteBuffer rawBody) {

  public HttpOutcome {
    headers = Map.copyOf(headers);
    // Read-only, compared by content: an outcome stays a value.
    rawBody = rawBody.asReadOnlyBuffer();
  }

  /**
   * An outcome without the body's bytes as they came and without when they started to arrive
   * (recorded for gRPC calls only: {@code firstBodyUnixNanos}, on the wall clock, nanoseconds since
   * the epoch, 0 when unknown; {@code rawBody} the length-prefixed messages).
   */
  public HttpOutcome(
      Kind kind,
      int status,
      Map<String, List<String>> headers,
      String body,
      Duration latency,
      String error) {
    this(kind, status, headers, body, latency, error, 0, java.nio.ByteBuffer.allocate(0));
  }

  /** The ways a request can end. */
  public enum Kind {
    RESPONSE,
    CONNECT_FAILURE,
    RESET,
    TIMEOUT
  }

  public boolean isResponse() {
    return kind == Kind.RESPONSE;
  }

  /** The first value of a response header (names are lower-case). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  static HttpOutcome failure(Kind kind, Duration latency, String error) {
    return new HttpOutcome(kind, 0, Map.of(), "", latency, error);
  }
}
