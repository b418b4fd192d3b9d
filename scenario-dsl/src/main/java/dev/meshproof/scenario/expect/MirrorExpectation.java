package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.UpstreamAttemptObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Expects the mirror copies (Istio's {@code mirror}/{@code mirrors}: Envoy's shadow requests) a
 * service's instances journaled, joined to the requests by {@code x-request-id}: what fraction of
 * the requests was copied to it, at most one copy per request, and the Host each copy carried. A
 * fraction strictly between 0 and 1 is judged by a two-sided exact binomial test at a stated alpha;
 * 0 and 1 are exact ({@link Builder#none()}, {@link Builder#all()}). A copy is a journal entry at
 * the mirror target under the request's {@code x-request-id}: marked as a mirror (a {@code -shadow}
 * Host, Istio up to 1.27) or not (from 1.28 the Host is unchanged and the receiving sidecar drops
 * Envoy's {@code x-envoy-internal}, so nothing at the app marks a copy). The target must therefore
 * serve none of the primary traffic: a request the target answered itself is reported.
 *
 * @see <a
 *     href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMirrorPolicy">Istio
 *     HTTPMirrorPolicy</a>
 */
public final class MirrorExpectation implements Expectation {
  private final String service;
  private final Optional<String> version;
  private final Optional<String> traffic;
  private final double fraction;
  private final double alpha;
  private final Optional<String> authority;

  private MirrorExpectation(Builder b) {
    this.service = b.service;
    this.version = b.version;
    this.traffic = b.traffic;
    this.fraction = b.fraction;
    this.alpha = b.alpha;
    this.authority = b.authority;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("service", service);
    version.ifPresent(v -> fields.put("version", v));
    traffic.ifPresent(t -> fields.put("traffic", t));
    if (fraction == 1) {
      fields.put("all", true);
    } else if (fraction == 0) {
      fields.put("none", true);
    } else {
      fields.put("fraction", fraction);
      fields.put("alpha", alpha);
    }
    authority.ifPresent(a -> fields.put("authority", a));
    return Map.of("mirrored", fields);
  }

  private String target() {
    return service + version.map(v -> " " + v).orElse("");
  }

  private boolean exact() {
    return fraction == 0 || fraction == 1;
  }

  @Override
  public String description() {
    String share =
        fraction == 0
            ? "no request"
            : fraction == 1
                ? "every request"
                : String.format(
                    "%.4g%% of requests (exact binomial test, two-sided, alpha %s)",
                    fraction * 100, alpha);
    return share
        + traffic.map(t -> " of traffic '" + t + "'").orElse("")
        + " mirrored to "
        + target()
        + ", at most one copy each"
        + authority.map(a -> ", each copy with Host " + a).orElse("");
  }

  /** Whether a journaled copy arrived at an instance of the mirror target. */
  private boolean atTarget(UpstreamAttemptObservation copy) {
    return servedByTarget(copy.instance());
  }

  private boolean servedByTarget(String instance) {
    return instance.startsWith(service + "-" + version.map(v -> v + "-").orElse(""));
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    int n = requests.size();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("requests", String.valueOf(n));
    if (n == 0) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    int mirrored = 0;
    List<String> problems = new java.util.ArrayList<>();
    for (RequestObservation r : requests) {
      List<UpstreamAttemptObservation> copies =
          java.util.stream.Stream.concat(r.mirrors().stream(), r.attempts().stream())
              .filter(this::atTarget)
              .toList();
      if (r.instance().map(this::servedByTarget).orElse(false)) {
        problems.add(
            "request "
                + r.requestId()
                + " was answered by "
                + r.instance().get()
                + ", the mirror target itself (expected: a target serving no primary traffic)");
      }
      if (!copies.isEmpty()) {
        mirrored++;
      }
      if (copies.size() > 1) {
        problems.add("request " + r.requestId() + " was copied " + copies.size() + " times");
      }
      for (UpstreamAttemptObservation copy : copies) {
        if (authority.isPresent() && !authority.get().equals(copy.authority())) {
          problems.add(
              "request "
                  + r.requestId()
                  + "'s copy at "
                  + copy.instance()
                  + " had Host "
                  + copy.authority()
                  + " (expected: "
                  + authority.get()
                  + ")");
        }
      }
    }
    statistics.put("mirrored", String.valueOf(mirrored));
    boolean shareOk;
    String shareMessage;
    if (exact()) {
      long expected = Math.round(fraction * n);
      shareOk = mirrored == expected;
      shareMessage = mirrored + " of " + n + " requests mirrored (expected " + expected + ")";
    } else {
      SignificanceResult test =
          BinomialTest.withDefaults()
              .with(AlternativeHypothesis.TWO_SIDED)
              .test(n, mirrored, fraction);
      statistics.put("test", "exact binomial, two-sided");
      statistics.put("p_value", String.valueOf(test.getPValue()));
      statistics.put("alpha", String.valueOf(alpha));
      shareOk = !test.reject(alpha);
      shareMessage =
          String.format(
              "%d of %d requests mirrored (%.3f%%, expected %.4g%%); p-value %.3g %s alpha %s",
              mirrored,
              n,
              100.0 * mirrored / n,
              fraction * 100,
              test.getPValue(),
              shareOk ? ">=" : "<",
              alpha);
    }
    boolean passed = shareOk && problems.isEmpty();
    String message =
        shareMessage
            + (problems.isEmpty()
                ? ""
                : "; "
                    + problems.size()
                    + " problem(s): "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size()))));
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link MirrorExpectation}; the share must be chosen. */
  public static final class Builder implements ExpectationSpec {
    private final String service;
    private Optional<String> version = Optional.empty();
    private Optional<String> traffic = Optional.empty();
    private double fraction = Double.NaN;
    private double alpha = Significance.DEFAULT_ALPHA;
    private Optional<String> authority = Optional.empty();

    Builder(String service) {
      if (service == null || service.isBlank()) {
        throw new IllegalArgumentException("mirrored: '" + service + "' (expected: a service)");
      }
      this.service = service;
    }

    /** Only copies received by this version's instances count. */
    public Builder version(String version) {
      this.version = Optional.of(version);
      return this;
    }

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** Every request is copied (exact). */
    public Builder all() {
      return fraction(1.0);
    }

    /** No request is copied (exact): the negative case. */
    public Builder none() {
      return fraction(0.0);
    }

    /** This fraction of requests is copied; strictly between 0 and 1 it is a binomial test. */
    public Builder fraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "fraction: " + fraction + " (expected: a fraction from 0.0 to 1.0)");
      }
      this.fraction = fraction;
      return this;
    }

    public Builder atAlpha(double alpha) {
      this.alpha = Significance.checkAlpha(alpha);
      return this;
    }

    /** Every copy carries exactly this Host (e.g. {@code catalog} or {@code catalog-shadow}). */
    public Builder authority(String authority) {
      this.authority = Optional.of(authority);
      return this;
    }

    @Override
    public MirrorExpectation build() {
      if (Double.isNaN(fraction)) {
        throw new IllegalArgumentException(
            "mirrored(" + service + "): no share given (expected: all(), none() or fraction(p))");
      }
      return new MirrorExpectation(this);
    }
  }
}
