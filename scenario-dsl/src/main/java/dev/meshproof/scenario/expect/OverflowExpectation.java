package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expects a count of requests refused by a circuit breaker: a 503 carrying {@code
 * x-envoy-overloaded: true} (Envoy's flag UO). Counted exactly from every request; no statistics,
 * the bound is the claim.
 */
public final class OverflowExpectation implements Expectation {
  private final long min;
  private final long max;

  private OverflowExpectation(long min, long max) {
    this.min = min;
    this.max = max;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (max == 0) {
      fields.put("none", true);
    } else {
      fields.put("atLeast", min);
    }
    return Map.of("overflows", fields);
  }

  @Override
  public String description() {
    if (max == 0) {
      return "no request overflows a circuit breaker (503 with x-envoy-overloaded: true)";
    }
    return "at least "
        + min
        + " request(s) overflow a circuit breaker (503 with x-envoy-overloaded: true)";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests = observations.requests();
    long overflowed = requests.stream().filter(r -> r.status() == 503 && r.overloaded()).count();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    statistics.put("requests", String.valueOf(requests.size()));
    statistics.put("overflowed (503 UO)", String.valueOf(overflowed));
    boolean passed = overflowed >= min && overflowed <= max;
    String message =
        overflowed
            + " of "
            + requests.size()
            + " requests overflowed"
            + (passed ? "" : max == 0 ? " (expected none)" : " (expected at least " + min + ")");
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures an {@link OverflowExpectation}. */
  public static final class Builder {
    Builder() {}

    /** At least {@code count} requests overflow. */
    public OverflowExpectation atLeast(long count) {
      if (count < 1) {
        throw new IllegalArgumentException("atLeast: " + count + " (expected: >= 1)");
      }
      return new OverflowExpectation(count, Long.MAX_VALUE);
    }

    /** No request overflows. */
    public OverflowExpectation none() {
      return new OverflowExpectation(0, 0);
    }
  }
}
