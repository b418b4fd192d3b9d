package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Expects an instance to be ejected by its first failure and re-admitted later. Let the first 5xx
 * it served be sent at t0 and its response received at t1. The proxy ejected the instance between
 * the two (it saw the 5xx before the client did), so the ejection lasts at least until t0 + {@code
 * atLeast}: a request sent after t1 (picked after the ejection) that the instance served must have
 * been picked, and so answered, no earlier than t0 + {@code atLeast}; one answered before is a
 * violation whatever the machine's load. The instance must serve a request sent no later than t1 +
 * {@code readmittedWithin}. Timestamps are the client's send and receive times of each request, on
 * one axis per traffic. (Comparing send times with t1 instead, as an earlier version did, failed a
 * correct Envoy on a loaded machine: a request sent 994 ms after t1 reached the proxy after the
 * 1000 ms ejection, which had begun before t1.)
 *
 * <p>Its absence must not be chance: under H0 (the instance was not ejected and each request picks
 * one of the n instances seen with probability 1/n) the probability that none of the k requests
 * picked inside the guaranteed window (sent after t1, answered before t0 + {@code atLeast}) reaches
 * it is (1 - 1/n)^k; the expectation requires it below alpha.
 */
public final class EjectionExpectation implements Expectation {
  private final String instance;
  private final Duration atLeast;
  private final Duration readmittedWithin;
  private final double alpha;

  private EjectionExpectation(
      String instance, Duration atLeast, Duration readmittedWithin, double alpha) {
    this.instance = instance;
    this.atLeast = atLeast;
    this.readmittedWithin = readmittedWithin;
    this.alpha = alpha;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("instance", instance);
    fields.put("lastsAtLeast", atLeast);
    fields.put("readmittedWithin", readmittedWithin);
    fields.put("alpha", alpha);
    return Map.of("ejection", fields);
  }

  @Override
  public String description() {
    return String.format(
        Locale.ROOT,
        "%s is ejected by its first 5xx for at least %d ms and re-admitted within %d ms"
            + " (absence by chance: (1-1/n)^k < alpha %s)",
        instance,
        atLeast.toMillis(),
        readmittedWithin.toMillis(),
        alpha);
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .sorted(Comparator.comparing(RequestObservation::sentAt))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "ejection window; P(no pick in window | not ejected) = (1-1/n)^k");
    statistics.put("alpha", String.valueOf(alpha));
    Optional<RequestObservation> failure =
        requests.stream().filter(r -> servedBy(r) && r.status() >= 500).findFirst();
    if (failure.isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          instance + " served no 5xx, so nothing ejected it",
          statistics,
          List.of());
    }
    Duration t0 = failure.get().sentAt();
    Duration t1 = failure.get().receivedAt();
    Duration windowEnd = t0.plus(atLeast);
    statistics.put("first 5xx sent at (ms)", ms(t0));
    statistics.put("first 5xx received at (ms)", ms(t1));
    Optional<RequestObservation> again =
        requests.stream().filter(r -> servedBy(r) && r.sentAt().compareTo(t1) > 0).findFirst();
    Optional<RequestObservation> tooEarly =
        requests.stream()
            .filter(
                r ->
                    servedBy(r)
                        && r.sentAt().compareTo(t1) > 0
                        && r.receivedAt().compareTo(windowEnd) < 0)
            .findFirst();
    long inWindow =
        requests.stream()
            .filter(r -> r.sentAt().compareTo(t1) > 0 && r.receivedAt().compareTo(windowEnd) < 0)
            .count();
    long instances =
        requests.stream()
            .map(RequestObservation::instance)
            .flatMap(Optional::stream)
            .distinct()
            .count();
    double pByChance = instances < 2 ? 1.0 : Math.pow(1 - 1.0 / instances, inWindow);
    statistics.put("requests sent in the window (k)", String.valueOf(inWindow));
    statistics.put("instances seen (n)", String.valueOf(instances));
    statistics.put("p (absence by chance)", String.format(Locale.ROOT, "%.3g", pByChance));
    again.ifPresent(r -> statistics.put("served again, sent at (ms)", ms(r.sentAt())));
    if (tooEarly.isPresent()) {
      return new ExpectationResult(
          description(),
          false,
          instance
              + " served request "
              + tooEarly.get().index()
              + ", answered "
              + tooEarly.get().receivedAt().minus(t0).toMillis()
              + " ms after its first 5xx was sent (expected none answered before "
              + atLeast.toMillis()
              + " ms)",
          statistics,
          List.of());
    }
    if (pByChance >= alpha) {
      return new ExpectationResult(
          description(),
          false,
          "only "
              + inWindow
              + " requests in the window: its absence could be chance (p "
              + String.format(Locale.ROOT, "%.3g", pByChance)
              + " >= alpha "
              + alpha
              + ")",
          statistics,
          List.of());
    }
    if (again.isEmpty() || again.get().sentAt().minus(t1).compareTo(readmittedWithin) > 0) {
      return new ExpectationResult(
          description(),
          false,
          instance
              + (again.isEmpty()
                  ? " never served again"
                  : " served again only "
                      + again.get().sentAt().minus(t1).toMillis()
                      + " ms after its first 5xx")
              + " (expected re-admission within "
              + readmittedWithin.toMillis()
              + " ms)",
          statistics,
          List.of());
    }
    return new ExpectationResult(
        description(),
        true,
        instance
            + " served nothing for "
            + again.get().sentAt().minus(t1).toMillis()
            + " ms after its first 5xx ("
            + inWindow
            + " requests went elsewhere, p "
            + String.format(Locale.ROOT, "%.3g", pByChance)
            + " < alpha "
            + alpha
            + "), then served again",
        statistics,
        List.of());
  }

  private boolean servedBy(RequestObservation r) {
    return r.instance().filter(instance::equals).isPresent();
  }

  private static String ms(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e6);
  }

  /** Configures an {@link EjectionExpectation}. */
  public static final class Builder {
    private final String instance;
    private Duration atLeast;
    private Duration readmittedWithin;

    Builder(String instance) {
      this.instance = instance;
    }

    /** The instance serves nothing for this long after its first 5xx. */
    public Builder lastsAtLeast(Duration atLeast) {
      this.atLeast = atLeast;
      return this;
    }

    /** The instance serves again no later than this after its first 5xx. */
    public Builder readmittedWithin(Duration readmittedWithin) {
      this.readmittedWithin = readmittedWithin;
      return this;
    }

    public EjectionExpectation atAlpha(double alpha) {
      if (!(alpha > 0 && alpha < 1)) {
        throw new IllegalArgumentException("alpha: " + alpha + " (expected: between 0 and 1)");
      }
      if (atLeast == null || readmittedWithin == null || readmittedWithin.compareTo(atLeast) < 0) {
        throw new IllegalArgumentException(
            "ejection window: lastsAtLeast "
                + atLeast
                + ", readmittedWithin "
                + readmittedWithin
                + " (expected: both set, readmittedWithin >= lastsAtLeast)");
      }
      return new EjectionExpectation(instance, atLeast, readmittedWithin, alpha);
    }
  }
}
