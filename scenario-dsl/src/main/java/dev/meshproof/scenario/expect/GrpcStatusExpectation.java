package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.GrpcCalls;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;

/**
 * Expects gRPC calls to end with a gRPC status ({@code grpc-status} of the answer's trailers, or of
 * its headers for a trailers-only answer such as a proxy's local reply): every call, none, or a
 * share judged by a two-sided exact binomial test at a stated alpha (e.g. a fault abort with {@code
 * grpcStatus: UNAVAILABLE} on 30 % of calls). A call that got no gRPC answer at all (a connection
 * failure, a plain HTTP response) does not end with the status.
 */
public final class GrpcStatusExpectation implements Expectation {
  private final int code;
  private final Optional<String> traffic;
  private final double fraction;
  private final double alpha;

  private GrpcStatusExpectation(Builder b) {
    this.code = b.code;
    this.traffic = b.traffic;
    this.fraction = b.fraction;
    this.alpha = b.alpha;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("code", GrpcCalls.name(code));
    traffic.ifPresent(t -> fields.put("traffic", t));
    if (fraction != 1) {
      fields.put("fraction", fraction);
    }
    if (fraction > 0 && fraction < 1) {
      fields.put("alpha", alpha);
    }
    return Map.of("grpcStatus", fields);
  }

  @Override
  public String description() {
    String share =
        fraction == 1
            ? "every gRPC call"
            : fraction == 0
                ? "no gRPC call"
                : String.format(
                    "%.4g%% of gRPC calls (exact binomial test, two-sided, alpha %s)",
                    fraction * 100, alpha);
    return share
        + traffic.map(t -> " of traffic '" + t + "'").orElse("")
        + " ends with grpc-status "
        + GrpcCalls.name(code)
        + " ("
        + code
        + ")";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    int n = requests.size();
    statistics.put("requests", String.valueOf(n));
    if (n == 0) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    // The status mix, for the message and the report.
    Map<String, Integer> mix = new java.util.TreeMap<>();
    int matching = 0;
    for (RequestObservation r : requests) {
      String seen =
          r.grpcStatus().isPresent()
              ? GrpcCalls.name(r.grpcStatus().getAsInt())
              : r.kind() == dev.meshproof.runtime.client.HttpOutcome.Kind.RESPONSE
                  ? "no grpc-status (HTTP " + r.status() + ")"
                  : r.kind().name().toLowerCase(java.util.Locale.ROOT);
      mix.merge(seen, 1, Integer::sum);
      if (r.grpcStatus().isPresent() && r.grpcStatus().getAsInt() == code) {
        matching++;
      }
    }
    statistics.put("matching", String.valueOf(matching));
    statistics.put("statuses", mix.toString());
    boolean passed;
    String message;
    if (fraction == 0 || fraction == 1) {
      long expected = Math.round(fraction * n);
      passed = matching == expected;
      message =
          matching
              + " of "
              + n
              + " calls ended "
              + GrpcCalls.name(code)
              + " (expected "
              + expected
              + "); statuses seen: "
              + mix;
    } else {
      var test =
          BinomialTest.withDefaults()
              .with(AlternativeHypothesis.TWO_SIDED)
              .test(n, matching, fraction);
      statistics.put("test", "exact binomial, two-sided");
      statistics.put("p_value", String.valueOf(test.getPValue()));
      statistics.put("alpha", String.valueOf(alpha));
      passed = !test.reject(alpha);
      message =
          String.format(
              "%d of %d calls ended %s (%.3f%%, expected %.4g%%); p-value %.3g %s alpha %s;"
                  + " statuses seen: %s",
              matching,
              n,
              GrpcCalls.name(code),
              100.0 * matching / n,
              fraction * 100,
              test.getPValue(),
              passed ? ">=" : "<",
              alpha,
              mix);
    }
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link GrpcStatusExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private final int code;
    private Optional<String> traffic = Optional.empty();
    private double fraction = 1;
    private double alpha = Significance.DEFAULT_ALPHA;

    Builder(String status) {
      this.code = GrpcCalls.code(status);
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** This share of the calls ends with the status (0 and 1 exact, else binomial). */
    public Builder fraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0.0..1.0)");
      }
      this.fraction = fraction;
      return this;
    }

    public Builder atAlpha(double alpha) {
      this.alpha = Significance.checkAlpha(alpha);
      return this;
    }

    @Override
    public GrpcStatusExpectation build() {
      return new GrpcStatusExpectation(this);
    }
  }
}
