package dev.meshproof.scenario.expect;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Expects every request to end with an Envoy response flag, as the client sees it on every target:
 * the local reply's status and its body, word for word Envoy's (UT: 504 {@code upstream request
 * timeout}; UH: 503 {@code no healthy upstream}; UF and UC: 503 with the reset reason). A flag the
 * client cannot see (URX, retries exhausted, which rides on a forwarded upstream response) is read
 * from the client sidecar's access-log line joined to the request ({@link
 * dev.meshproof.scenario.result.ProxyEvidence}, {@code %RESPONSE_FLAGS%}), which both targets
 * write.
 */
public final class ResponseFlagExpectation implements Expectation {
  /** The client-visible signature of each flag: status and local reply body. */
  private static final Map<String, Map.Entry<Integer, String>> SIGNATURES =
      Map.of(
          "UT", Map.entry(504, "upstream request timeout"),
          "UH", Map.entry(503, "no healthy upstream"),
          "UF",
              Map.entry(
                  503,
                  "upstream connect error or disconnect/reset before headers. reset reason:"
                      + " connection failure"),
          "UC",
              Map.entry(
                  503,
                  "upstream connect error or disconnect/reset before headers. reset reason:"
                      + " connection termination"));

  /** Flags judged from the access log: the client sees the upstream's own response. */
  private static final java.util.Set<String> ACCESS_LOG_FLAGS = java.util.Set.of("URX");

  private final String flag;
  private final Optional<String> traffic;

  /** The flags a client can see, in name order: the allowed values of {@code responseFlag}. */
  public static java.util.List<String> flags() {
    return java.util.List.copyOf(new java.util.TreeSet<>(SIGNATURES.keySet()));
  }

  private ResponseFlagExpectation(String flag, Optional<String> traffic) {
    this.flag = flag;
    this.traffic = traffic;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("flag", flag);
    traffic.ifPresent(t -> fields.put("traffic", t));
    return Map.of("responseFlag", fields);
  }

  @Override
  public String description() {
    if (ACCESS_LOG_FLAGS.contains(flag)) {
      return "every request"
          + traffic.map(t -> " of traffic '" + t + "'").orElse("")
          + " ends with flag "
          + flag
          + " in the client sidecar's access log";
    }
    Map.Entry<Integer, String> signature = SIGNATURES.get(flag);
    return "every request"
        + traffic.map(t -> " of traffic '" + t + "'").orElse("")
        + " ends with flag "
        + flag
        + " ("
        + signature.getKey()
        + " \""
        + signature.getValue()
        + "\")";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    Map.Entry<Integer, String> signature = SIGNATURES.get(flag);
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("requests", String.valueOf(requests.size()));
    if (requests.isEmpty()) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    List<RequestObservation> other =
        requests.stream()
            .filter(
                r ->
                    ACCESS_LOG_FLAGS.contains(flag)
                        ? !loggedWith(r, flag)
                        : r.kind() != HttpOutcome.Kind.RESPONSE
                            || r.status() != signature.getKey()
                            || !r.bodyExcerpt().strip().equals(signature.getValue()))
            .toList();
    boolean passed = other.isEmpty();
    String message =
        passed
            ? "all " + requests.size() + " requests ended " + flag
            : other.size()
                + " of "
                + requests.size()
                + " requests did not end "
                + flag
                + "; "
                + AttemptsExpectation.evidence(other);
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** True when the request's access-log line lists {@code flag} among its response flags. */
  private static boolean loggedWith(RequestObservation request, String flag) {
    return request
        .proxy()
        .map(p -> java.util.Arrays.asList(p.responseFlags().split(",")).contains(flag))
        .orElse(false);
  }

  /** Configures a {@link ResponseFlagExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private final String flag;
    private Optional<String> traffic = Optional.empty();

    Builder(String flag) {
      if (!SIGNATURES.containsKey(flag) && !ACCESS_LOG_FLAGS.contains(flag)) {
        java.util.Set<String> known = new java.util.TreeSet<>(SIGNATURES.keySet());
        known.addAll(ACCESS_LOG_FLAGS);
        throw new IllegalArgumentException(
            "responseFlag: "
                + flag
                + " (expected one of: "
                + known
                + "; URX from the client sidecar's access log)");
      }
      this.flag = flag;
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    @Override
    public ResponseFlagExpectation build() {
      return new ResponseFlagExpectation(flag, traffic);
    }
  }
}
