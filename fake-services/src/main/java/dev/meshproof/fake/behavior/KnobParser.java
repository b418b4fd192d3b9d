package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads per-request knobs from a request, in the spirit of the Gateway API echo-basic server and
 * Istio's echo app: {@code ?delay=200ms}, {@code ?codes=500:90,200:10}, {@code /status/503}, {@code
 * /retry?succeedAfter=2&responseCode=503}, {@code X-Echo-Set-Header: name:value}, {@code ?size=N}.
 * Query parameters win over their {@code x-echo-*} header twins.
 */
public final class KnobParser {
  /** Largest {@code size} accepted, so a typo cannot make the workload allocate gigabytes. */
  public static final int MAX_SIZE = 16 * 1024 * 1024;

  /** Longest {@code delay} accepted. */
  public static final Duration MAX_DELAY = Duration.ofMinutes(10);

  private KnobParser() {}

  /** The outcome of parsing: knobs, or the first rejected knob. */
  public sealed interface Result {}

  /** All knobs valid. */
  public record Parsed(RequestKnobs knobs) implements Result {}

  /** A knob was malformed. */
  public record Rejected(KnobError error) implements Result {}

  private static final class Reject extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient KnobError error;

    Reject(String knob, String value, String expected) {
      super(null, null, false, false);
      this.error = new KnobError(knob, value, expected);
    }
  }

  /** Parses every knob of {@code request}. */
  public static Result parse(RequestView request) {
    try {
      return new Parsed(
          new RequestKnobs(
              delay(request),
              codes(request),
              status(request),
              retry(request),
              setHeaders(request),
              size(request)));
    } catch (Reject r) {
      return new Rejected(r.error);
    }
  }

  private static String knob(RequestView r, String name) {
    String q = r.queryParam(name);
    return q != null ? q : r.header("x-echo-" + name);
  }

  private static Optional<Duration> delay(RequestView r) {
    String v = knob(r, "delay");
    if (v == null) {
      return Optional.empty();
    }
    String expected = Durations.EXPECTED + ", at most " + Durations.format(MAX_DELAY);
    try {
      Duration d = Durations.parse(v);
      if (d.compareTo(MAX_DELAY) > 0) {
        throw new Reject("delay", v, expected);
      }
      return Optional.of(d);
    } catch (IllegalArgumentException e) {
      throw new Reject("delay", v, expected);
    }
  }

  private static Optional<StatusMix> codes(RequestView r) {
    String v = knob(r, "codes");
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(StatusMix.parse(v));
    } catch (IllegalArgumentException e) {
      throw new Reject("codes", v, StatusMix.EXPECTED + " (statuses 100-599, total weight > 0)");
    }
  }

  private static OptionalInt status(RequestView r) {
    if (!r.path().startsWith("/status/")) {
      return OptionalInt.empty();
    }
    String v = r.path().substring("/status/".length());
    return OptionalInt.of(statusCode("status", v));
  }

  private static Optional<RequestKnobs.Retry> retry(RequestView r) {
    if (!r.path().equals("/retry")) {
      return Optional.empty();
    }
    String after = r.queryParam("succeedAfter");
    if (after == null) {
      throw new Reject("succeedAfter", "", "a count of failing attempts, e.g. succeedAfter=2");
    }
    int n = integer("succeedAfter", after, 0, 1_000_000, "an integer 0-1000000");
    String code = r.queryParam("responseCode");
    int status = code == null ? 503 : statusCode("responseCode", code);
    return Optional.of(new RequestKnobs.Retry(n, status));
  }

  private static List<RequestKnobs.Header> setHeaders(RequestView r) {
    List<String> values = r.headers().getOrDefault("x-echo-set-header", List.of());
    List<RequestKnobs.Header> out = new ArrayList<>();
    for (String value : values) {
      for (String item : value.split(",")) {
        int colon = item.indexOf(':');
        String name = colon < 0 ? "" : item.substring(0, colon).trim();
        if (name.isEmpty() || !name.chars().allMatch(KnobParser::isTokenChar)) {
          throw new Reject("x-echo-set-header", item, "name:value pairs like X-Foo:bar,X-Baz:qux");
        }
        out.add(new RequestKnobs.Header(name, item.substring(colon + 1).trim()));
      }
    }
    return out;
  }

  private static OptionalInt size(RequestView r) {
    String v = knob(r, "size");
    if (v == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(integer("size", v, 0, MAX_SIZE, "a byte count 0-" + MAX_SIZE));
  }

  private static int statusCode(String knob, String v) {
    return integer(knob, v, 100, 599, "an HTTP status 100-599");
  }

  private static int integer(String knob, String v, int min, int max, String expected) {
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw new Reject(knob, v, expected);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Reject(knob, v, expected);
    }
  }

  // RFC 9110 token characters, so a set header cannot smuggle a CR/LF or a space.
  private static boolean isTokenChar(int c) {
    return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }
}
