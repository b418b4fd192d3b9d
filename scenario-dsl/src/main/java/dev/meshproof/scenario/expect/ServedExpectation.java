package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expects an instance to serve at most a number of requests, counted exactly from the instance each
 * response names: how an ejected host shows (it serves nothing while ejected).
 */
public final class ServedExpectation implements Expectation {
  private final String instance;
  private final long max;

  private ServedExpectation(String instance, long max) {
    this.instance = instance;
    this.max = max;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("instance", instance);
    fields.put("atMost", max);
    return Map.of("servedBy", fields);
  }

  @Override
  public String description() {
    return "instance " + instance + " serves at most " + max + " request(s)";
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    long served =
        observations.requests().stream()
            .filter(r -> r.instance().filter(instance::equals).isPresent())
            .count();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    statistics.put("requests", String.valueOf(observations.requests().size()));
    statistics.put("served by " + instance, String.valueOf(served));
    boolean passed = served <= max;
    return new ExpectationResult(
        description(),
        passed,
        instance
            + " served "
            + served
            + " request(s)"
            + (passed ? "" : " (expected <= " + max + ")"),
        statistics,
        List.of());
  }

  /** Configures a {@link ServedExpectation}. */
  public static final class Builder {
    private final String instance;

    Builder(String instance) {
      this.instance = instance;
    }

    public ServedExpectation atMost(long count) {
      if (count < 0) {
        throw new IllegalArgumentException("atMost: " + count + " (expected: >= 0)");
      }
      return new ServedExpectation(instance, count);
    }
  }
}
