package dev.meshproof.scenario.expect;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Expects every request of a traffic to get the same, deterministic answer: its status, response
 * headers (a redirect's {@code location}, a route's header changes), its body, and what the serving
 * echo received (path, authority and {@code x-} request headers, which the echo reports as {@code
 * x-echo-path}, {@code x-echo-authority} and {@code x-echo-request-<name>}). An exact check: no
 * randomness is involved, so one deviating request fails it.
 */
public final class ResponseExpectation implements Expectation {
  /**
   * How every request is expected to end: {@code response}, or {@code refused} (no response: the
   * connection failed, was closed or reset before one, as a failed TLS handshake or a connection no
   * filter chain matches; which of these a client sees depends on when the peer closes, so they are
   * one outcome).
   */
  public static final List<String> OUTCOMES = List.of("response", "refused");

  private static final String RECEIVED_PATH = "x-echo-path";
  private static final String RECEIVED_AUTHORITY = "x-echo-authority";
  private static final String RECEIVED_HEADER = "x-echo-request-";

  private final Optional<String> traffic;
  private final OptionalInt status;
  private final Map<String, Optional<String>> headers;
  private final Optional<String> body;
  private final boolean refused;

  private ResponseExpectation(Builder b) {
    this.traffic = b.traffic;
    this.refused = b.refused;
    this.status = b.status;
    // By name: the same checks describe (and write) themselves the same whatever their order.
    this.headers = new java.util.TreeMap<>(b.headers);
    this.body = b.body;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    if (refused) {
      fields.put("outcome", "refused");
    }
    status.ifPresent(s -> fields.put("status", s));
    Map<String, Object> present = new LinkedHashMap<>();
    List<String> absent = new ArrayList<>();
    Map<String, Object> received = new LinkedHashMap<>();
    Map<String, Object> receivedPresent = new LinkedHashMap<>();
    List<String> receivedAbsent = new ArrayList<>();
    headers.forEach(
        (name, value) -> {
          if (name.equals(RECEIVED_PATH) && value.isPresent()) {
            received.put("path", value.get());
          } else if (name.equals(RECEIVED_AUTHORITY) && value.isPresent()) {
            received.put("authority", value.get());
          } else if (name.startsWith(RECEIVED_HEADER)) {
            String header = name.substring(RECEIVED_HEADER.length());
            value.ifPresentOrElse(
                v -> receivedPresent.put(header, v), () -> receivedAbsent.add(header));
          } else {
            value.ifPresentOrElse(v -> present.put(name, v), () -> absent.add(name));
          }
        });
    if (!present.isEmpty()) {
      fields.put("headers", present);
    }
    if (!absent.isEmpty()) {
      fields.put("headersAbsent", absent);
    }
    body.ifPresent(b -> fields.put("body", b));
    if (!receivedPresent.isEmpty()) {
      received.put("headers", receivedPresent);
    }
    if (!receivedAbsent.isEmpty()) {
      received.put("headersAbsent", receivedAbsent);
    }
    if (!received.isEmpty()) {
      fields.put("received", received);
    }
    return Map.of("response", fields);
  }

  @Override
  public String description() {
    if (refused) {
      return "every request"
          + traffic.map(t -> " of traffic '" + t + "'").orElse("")
          + " is refused (no response: connection failed, closed or reset)";
    }
    List<String> parts = new ArrayList<>();
    status.ifPresent(s -> parts.add("status " + s));
    headers.forEach((name, value) -> parts.add(name + value.map(v -> ": " + v).orElse(" absent")));
    body.ifPresent(b -> parts.add("body \"" + b + "\""));
    return "every request"
        + traffic.map(t -> " of traffic '" + t + "'").orElse("")
        + " is answered with "
        + String.join(", ", parts);
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact: every request");
    statistics.put("requests", String.valueOf(requests.size()));
    if (requests.isEmpty()) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    List<String> deviations = new ArrayList<>();
    int deviating = 0;
    for (RequestObservation r : requests) {
      List<String> wrong = deviations(r);
      if (!wrong.isEmpty()) {
        deviating++;
        if (deviations.size() < 5) {
          deviations.add("request " + r.requestId() + ": " + String.join("; ", wrong));
        }
      }
    }
    statistics.put("deviating", String.valueOf(deviating));
    boolean passed = deviating == 0;
    String message =
        passed
            ? "all " + requests.size() + " requests answered as expected"
            : deviating
                + " of "
                + requests.size()
                + " requests answered otherwise: "
                + String.join(" | ", deviations);
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  private List<String> deviations(RequestObservation r) {
    List<String> out = new ArrayList<>();
    if (refused) {
      if (r.kind() == HttpOutcome.Kind.RESPONSE) {
        out.add("answered " + r.status() + " (expected refused: no response)");
      } else if (r.kind() == HttpOutcome.Kind.TIMEOUT) {
        out.add("timed out (expected refused: the connection failed, closed or reset)");
      }
      return out;
    }
    if (r.kind() != HttpOutcome.Kind.RESPONSE) {
      out.add("no response (" + r.kind() + " " + r.error() + ")");
      return out;
    }
    status.ifPresent(
        s -> {
          if (r.status() != s) {
            out.add("status " + r.status() + " (expected " + s + ")");
          }
        });
    headers.forEach(
        (name, expected) -> {
          Optional<String> actual = r.responseHeader(name);
          if (!actual.equals(expected)) {
            out.add(
                name
                    + ": "
                    + actual.orElse("absent")
                    + " (expected "
                    + expected.orElse("absent")
                    + ")");
          }
        });
    body.ifPresent(
        b -> {
          if (!r.bodyExcerpt().equals(b)) {
            out.add("body \"" + r.bodyExcerpt() + "\" (expected \"" + b + "\")");
          }
        });
    return out;
  }

  /** Configures a {@link ResponseExpectation}; at least one check is required. */
  public static final class Builder implements ExpectationSpec {
    private Optional<String> traffic = Optional.empty();
    private OptionalInt status = OptionalInt.empty();
    private final Map<String, Optional<String>> headers = new LinkedHashMap<>();
    private Optional<String> body = Optional.empty();
    private boolean refused;

    Builder() {}

    /** How every request ends: {@code response} or {@code refused} ({@link #OUTCOMES}). */
    public Builder outcome(String outcome) {
      if (!OUTCOMES.contains(outcome)) {
        throw new IllegalArgumentException(
            "outcome: " + outcome + " (expected one of " + OUTCOMES + ")");
      }
      this.refused = outcome.equals("refused");
      return this;
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    public Builder status(int status) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status: " + status + " (expected: 100 to 599)");
      }
      this.status = OptionalInt.of(status);
      return this;
    }

    /** The response header {@code name} has {@code value} (its first value). */
    public Builder header(String name, String value) {
      headers.put(lower(name), Optional.of(value));
      return this;
    }

    /** The response has no header {@code name}. */
    public Builder headerAbsent(String name) {
      headers.put(lower(name), Optional.empty());
      return this;
    }

    /** The body of a non-2xx answer (a local reply's text), as the proxy sent it. */
    public Builder body(String text) {
      this.body = Optional.of(text);
      return this;
    }

    /** The echo received this path (with query). */
    public Builder receivedPath(String path) {
      return header(RECEIVED_PATH, path);
    }

    /** The echo received this authority (Host). */
    public Builder receivedAuthority(String authority) {
      return header(RECEIVED_AUTHORITY, authority);
    }

    /** The trace context headers the echo reports besides {@code x-} headers. */
    private static final List<String> TRACE_CONTEXT =
        List.of("traceparent", "tracestate", "baggage", "b3");

    /** The echo received request header {@code name} (an {@code x-} header) with this value. */
    public Builder receivedHeader(String name, String value) {
      return header(RECEIVED_HEADER + xHeader(name), value);
    }

    /** The echo received no request header {@code name} (an {@code x-} header). */
    public Builder receivedHeaderAbsent(String name) {
      return headerAbsent(RECEIVED_HEADER + xHeader(name));
    }

    private static String xHeader(String name) {
      String lower = lower(name);
      if (!lower.startsWith("x-") && !TRACE_CONTEXT.contains(lower)) {
        throw new IllegalArgumentException(
            "received header: "
                + name
                + " (expected: an x- header or one of "
                + TRACE_CONTEXT
                + "; the echo reports only those)");
      }
      return lower;
    }

    private static String lower(String name) {
      return name.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public ResponseExpectation build() {
      if (refused && (status.isPresent() || !headers.isEmpty() || body.isPresent())) {
        throw new IllegalArgumentException(
            "response(): outcome refused has no status, headers or body to check (expected:"
                + " outcome alone)");
      }
      if (!refused && status.isEmpty() && headers.isEmpty() && body.isEmpty()) {
        throw new IllegalArgumentException(
            "response(): no check (expected: outcome, status, header, body or received*)");
      }
      return new ResponseExpectation(this);
    }
  }
}
