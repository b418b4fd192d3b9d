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
 *
 * <p>The fault filter's flags are judged on the client sidecar's access-log line (the same JSON
 * field on both targets) and the services' journals: FI (an injected abort: the configured {@link
 * Builder#status}, body {@code fault filter abort}, and no upstream attempt journaled — an aborted
 * request never reaches an upstream, so it is never retried either; every request without FI did
 * reach one) and DI (an injected delay: latency at least {@link Builder#delayOf}). Either applies
 * to every request, or with {@link Builder#fraction} to a share judged by a two-sided exact
 * binomial test at a stated alpha.
 */
public final class ResponseFlagExpectation implements Expectation {
  /** Envoy's local reply body for a fault-filter abort. */
  static final String FAULT_ABORT_BODY = "fault filter abort";

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

  /**
   * Flags judged from the client proxy's access log: URX (the client sees the upstream's own
   * response) and NR (no route: Envoy's 404 with an empty body, which an app could answer too).
   */
  private static final java.util.Set<String> ACCESS_LOG_FLAGS = java.util.Set.of("URX", "NR");

  /** The fault filter's flags, judged from the access log and the journals. */
  private static final java.util.Set<String> FAULT_FLAGS = java.util.Set.of("DI", "FI");

  private final String flag;
  private final Optional<String> traffic;
  private final java.util.OptionalInt status;
  private final Optional<java.time.Duration> delay;
  private final double fraction;
  private final double alpha;

  private ResponseFlagExpectation(Builder b) {
    this.flag = b.flag;
    this.traffic = b.traffic;
    this.status = b.status;
    this.delay = b.delay;
    this.fraction = b.fraction;
    this.alpha = b.alpha;
  }

  /**
   * Every flag this expectation judges, in name order: the allowed values of {@code
   * responseFlag.flag} (FI and DI with their {@code status}, {@code delayOf} and {@code fraction}).
   */
  public static java.util.List<String> flags() {
    java.util.Set<String> all = new java.util.TreeSet<>(SIGNATURES.keySet());
    all.addAll(ACCESS_LOG_FLAGS);
    all.addAll(FAULT_FLAGS);
    return java.util.List.copyOf(all);
  }

  private boolean fault() {
    return FAULT_FLAGS.contains(flag);
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("flag", flag);
    traffic.ifPresent(t -> fields.put("traffic", t));
    status.ifPresent(s -> fields.put("status", s));
    delay.ifPresent(d -> fields.put("delayOf", d));
    if (fault() && fraction != 1) {
      fields.put("fraction", fraction);
    }
    if (fault() && fraction > 0 && fraction < 1) {
      fields.put("alpha", alpha);
    }
    return Map.of("responseFlag", fields);
  }

  @Override
  public String description() {
    if (fault()) {
      return faultDescription();
    }
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

  private String faultDescription() {
    String share =
        fraction == 1
            ? "every request"
            : fraction == 0
                ? "no request"
                : String.format(
                    "%.4g%% of requests (exact binomial test, two-sided, alpha %s)",
                    fraction * 100, alpha);
    String what =
        flag.equals("FI")
            ? "is aborted by the fault filter (flag FI, "
                + status.getAsInt()
                + " \""
                + FAULT_ABORT_BODY
                + "\") and never reaches an upstream; every other request does"
            : "is delayed by the fault filter (flag DI"
                + delay.map(d -> ", latency at least " + d.toMillis() + " ms").orElse("")
                + ")";
    return share + traffic.map(t -> " of traffic '" + t + "'").orElse("") + " " + what;
  }

  private boolean flagged(RequestObservation r) {
    return r.proxy().map(p -> List.of(p.responseFlags().split(",")).contains(flag)).orElse(false);
  }

  private ExpectationResult evaluateFault(List<RequestObservation> requests) {
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("requests", String.valueOf(requests.size()));
    List<RequestObservation> wrong = new java.util.ArrayList<>();
    int flaggedCount = 0;
    for (RequestObservation r : requests) {
      if (r.proxy().isEmpty()) {
        wrong.add(r);
        continue;
      }
      boolean hit = flagged(r);
      if (hit) {
        flaggedCount++;
      }
      boolean consistent;
      if (flag.equals("FI")) {
        consistent =
            hit
                ? r.kind() == HttpOutcome.Kind.RESPONSE
                    && r.status() == status.getAsInt()
                    // A 2xx answer's body is not kept (a gRPC-status abort answers 200); a gRPC
                    // call reads the abort text in grpc-message.
                    && (r.succeeded()
                        || r.bodyExcerpt().strip().equals(FAULT_ABORT_BODY)
                        || FAULT_ABORT_BODY.equals(
                            r.responseHeaders().getOrDefault("grpc-message", List.of("")).get(0)))
                    && r.attempts().isEmpty()
                : !r.attempts().isEmpty();
      } else {
        consistent = !hit || delay.map(d -> r.latency().compareTo(d) >= 0).orElse(true);
      }
      if (!consistent) {
        wrong.add(r);
      }
    }
    statistics.put("flagged", String.valueOf(flaggedCount));
    boolean shareOk;
    String shareMessage;
    int n = requests.size();
    if (fraction == 0 || fraction == 1) {
      long expected = Math.round(fraction * n);
      shareOk = flaggedCount == expected;
      shareMessage =
          flaggedCount + " of " + n + " requests " + flag + " (expected " + expected + ")";
    } else {
      var test =
          org.apache.commons.statistics.inference.BinomialTest.withDefaults()
              .with(org.apache.commons.statistics.inference.AlternativeHypothesis.TWO_SIDED)
              .test(n, flaggedCount, fraction);
      statistics.put("test", "exact binomial, two-sided");
      statistics.put("p_value", String.valueOf(test.getPValue()));
      statistics.put("alpha", String.valueOf(alpha));
      shareOk = !test.reject(alpha);
      shareMessage =
          String.format(
              "%d of %d requests %s (%.3f%%, expected %.4g%%); p-value %.3g %s alpha %s",
              flaggedCount,
              n,
              flag,
              100.0 * flaggedCount / n,
              fraction * 100,
              test.getPValue(),
              shareOk ? ">=" : "<",
              alpha);
    }
    boolean passed = shareOk && wrong.isEmpty();
    String message =
        shareMessage
            + (wrong.isEmpty()
                ? ""
                : "; "
                    + wrong.size()
                    + " request(s) inconsistent with "
                    + flag
                    + " (no access-log line, a wrong status or body, an upstream attempt for an"
                    + " abort or none without one, or too short a delay); "
                    + AttemptsExpectation.evidence(wrong));
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    if (fault() && !requests.isEmpty()) {
      return evaluateFault(requests);
    }
    Map.Entry<Integer, String> signature = SIGNATURES.get(flag);
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
                        ? !flagged(r)
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

  /** Configures a {@link ResponseFlagExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private final String flag;
    private Optional<String> traffic = Optional.empty();
    private java.util.OptionalInt status = java.util.OptionalInt.empty();
    private Optional<java.time.Duration> delay = Optional.empty();
    private double fraction = 1;
    private double alpha = Significance.DEFAULT_ALPHA;

    Builder(String flag) {
      if (!flags().contains(flag)) {
        throw new IllegalArgumentException(
            "responseFlag: "
                + flag
                + " (expected one of: "
                + flags()
                + "; URX, NR, DI and FI from the client sidecar's access log)");
      }
      this.flag = flag;
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** FI only: the HTTP status the abort answers (its {@code httpStatus}; 200 for gRPC). */
    public Builder status(int status) {
      if (!flag.equals("FI") || status < 200 || status > 599) {
        throw new IllegalArgumentException(
            "status: " + status + " for " + flag + " (expected: 200..599, for FI only)");
      }
      this.status = java.util.OptionalInt.of(status);
      return this;
    }

    /** DI only: each delayed request took at least this long. */
    public Builder delayOf(java.time.Duration delay) {
      if (!flag.equals("DI") || delay.isNegative() || delay.isZero()) {
        throw new IllegalArgumentException(
            "delayOf: " + delay + " for " + flag + " (expected: a positive delay, for DI only)");
      }
      this.delay = Optional.of(delay);
      return this;
    }

    /** FI, DI: this share of the requests has the flag (0 and 1 exact, else binomial). */
    public Builder fraction(double fraction) {
      if (!FAULT_FLAGS.contains(flag) || !(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "fraction: " + fraction + " for " + flag + " (expected: 0.0..1.0, for FI or DI)");
      }
      this.fraction = fraction;
      return this;
    }

    public Builder atAlpha(double alpha) {
      this.alpha = Significance.checkAlpha(alpha);
      return this;
    }

    @Override
    public ResponseFlagExpectation build() {
      if (flag.equals("FI") && status.isEmpty()) {
        throw new IllegalArgumentException(
            "responseFlag(FI): no status given (expected: status(n), the abort's httpStatus)");
      }
      return new ResponseFlagExpectation(this);
    }
  }
}
