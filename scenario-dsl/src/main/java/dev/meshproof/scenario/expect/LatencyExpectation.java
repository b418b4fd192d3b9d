package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Expects every request's end-to-end latency, as the client measured it, within bounds: at most a
 * timeout plus a stated margin (the mesh cut the request off in time), and optionally at least a
 * floor (it was not answered before the timeout could fire). A bound on every request, so no test
 * statistic: one request outside fails it, listed with its attempts.
 */
public final class LatencyExpectation implements Expectation {
  private final Optional<String> traffic;
  private final Duration atMost;
  private final Duration atLeast;

  private LatencyExpectation(Optional<String> traffic, Duration atMost, Duration atLeast) {
    this.traffic = traffic;
    this.atMost = atMost;
    this.atLeast = atLeast;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    if (!atLeast.isZero()) {
      fields.put("atLeast", atLeast);
    }
    fields.put("atMost", atMost);
    return Map.of("latency", fields);
  }

  @Override
  public String description() {
    return "every request"
        + traffic.map(t -> " of traffic '" + t + "'").orElse("")
        + " takes "
        + (atLeast.isZero() ? "" : "at least " + atLeast.toMillis() + " ms and ")
        + "at most "
        + atMost.toMillis()
        + " ms";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
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
    long max = requests.stream().mapToLong(r -> r.latency().toMillis()).max().orElse(0);
    long min = requests.stream().mapToLong(r -> r.latency().toMillis()).min().orElse(0);
    statistics.put("min latency ms", String.valueOf(min));
    statistics.put("max latency ms", String.valueOf(max));
    List<RequestObservation> outside =
        requests.stream()
            .filter(r -> r.latency().compareTo(atMost) > 0 || r.latency().compareTo(atLeast) < 0)
            .toList();
    boolean passed = outside.isEmpty();
    String message =
        passed
            ? "latencies " + min + ".." + max + " ms"
            : outside.size()
                + " of "
                + requests.size()
                + " requests outside the bounds; "
                + AttemptsExpectation.evidence(outside);
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link LatencyExpectation}. */
  public static final class Builder implements ExpectationSpec {
    private Optional<String> traffic = Optional.empty();
    private Duration atMost;
    private Duration atLeast = Duration.ZERO;

    Builder() {}

    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** No request slower than {@code timeout} plus {@code margin}. */
    public Builder atMost(Duration timeout, Duration margin) {
      if (timeout.isNegative() || margin.isNegative()) {
        throw new IllegalArgumentException(
            "atMost: " + timeout + " + " + margin + " (expected: non-negative durations)");
      }
      this.atMost = timeout.plus(margin);
      return this;
    }

    /** No request faster than {@code floor}. */
    public Builder atLeast(Duration floor) {
      if (floor.isNegative()) {
        throw new IllegalArgumentException("atLeast: " + floor + " (expected: >= 0)");
      }
      this.atLeast = floor;
      return this;
    }

    @Override
    public LatencyExpectation build() {
      if (atMost == null) {
        throw new IllegalArgumentException(
            "atMost: missing (expected: e.g. atMost(timeout, Duration.ofMillis(100)))");
      }
      if (atLeast.compareTo(atMost) > 0) {
        throw new IllegalArgumentException(
            "atLeast: " + atLeast + " (expected: <= atMost " + atMost + ")");
      }
      return new LatencyExpectation(traffic, atMost, atLeast);
    }
  }
}
