package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Expects consistent-hash affinity (a DestinationRule's {@code loadBalancer.consistentHash}): every
 * request of one hash key is answered by the same instance, and the keys together reach at least
 * {@code atLeastInstances} instances. Request {@code i} of the traffic carries key {@code i mod
 * keys}: the traffic lists {@code keys} variants, each with its own header, cookie or query value.
 *
 * <p>"Same key, same instance" is exact: every answered request is checked. "Keys spread" is exact
 * too but a correct mesh can fail it by chance when the hash puts every key on one instance: with
 * no instance owning more than half of the hash space (Envoy's ring of at least 1024 entries or
 * maglev table over three or more hosts gives each about a third), that chance is at most {@code
 * 0.5^(keys - 1)}, stated as the verdict's alpha so the false-alarm budget counts it.
 */
public final class KeyAffinityExpectation implements Expectation {
  private final Optional<String> traffic;
  private final int keys;
  private final int atLeastInstances;

  private KeyAffinityExpectation(Optional<String> traffic, int keys, int atLeastInstances) {
    this.traffic = traffic;
    this.keys = keys;
    this.atLeastInstances = atLeastInstances;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    fields.put("keys", keys);
    fields.put("atLeastInstances", atLeastInstances);
    return Map.of("sameInstancePerKey", fields);
  }

  @Override
  public String description() {
    return "each of "
        + keys
        + " hash key(s) (request i has key i mod "
        + keys
        + ") always reaches the same instance"
        + (atLeastInstances > 1
            ? ", the keys reach at least " + atLeastInstances + " instances"
            : "")
        + traffic.map(t -> " (traffic " + t + ")").orElse("");
  }

  /** The chance that a correct hash puts every key on one instance: at most {@code 0.5^(n-1)}. */
  double alpha() {
    return atLeastInstances > 1 ? Math.pow(0.5, keys - 1) : 0;
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    Map<Integer, Set<String>> instancesByKey = new TreeMap<>();
    long answered = 0;
    for (RequestObservation r : observations.requests()) {
      if (traffic.isPresent() && !traffic.get().equals(r.traffic())) {
        continue;
      }
      if (r.instance().isEmpty()) {
        continue; // a proxy's local reply or a failure: no instance to be affine to
      }
      answered++;
      instancesByKey
          .computeIfAbsent(r.index() % keys, k -> new TreeSet<>())
          .add(r.instance().get());
    }
    Set<String> reached = new TreeSet<>();
    instancesByKey.values().forEach(reached::addAll);
    Optional<Map.Entry<Integer, Set<String>>> split =
        instancesByKey.entrySet().stream().filter(e -> e.getValue().size() > 1).findFirst();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact: instances per key");
    statistics.put("answered requests", String.valueOf(answered));
    statistics.put("keys answered", String.valueOf(instancesByKey.size()));
    statistics.put("instances reached", String.valueOf(reached.size()));
    if (alpha() > 0) {
      statistics.put("alpha", String.valueOf(alpha()));
    }
    String message;
    boolean passed;
    if (answered == 0) {
      passed = false;
      message = "no request was answered by an instance";
    } else if (split.isPresent()) {
      passed = false;
      message =
          "key "
              + split.get().getKey()
              + " reached "
              + split.get().getValue().size()
              + " instances "
              + split.get().getValue()
              + " (expected one)";
    } else if (reached.size() < atLeastInstances) {
      passed = false;
      message =
          "every key kept its instance, but the "
              + instancesByKey.size()
              + " keys reached only "
              + reached
              + " (expected at least "
              + atLeastInstances
              + " instances)";
    } else {
      passed = true;
      message =
          "each of "
              + instancesByKey.size()
              + " keys kept one instance over "
              + answered
              + " requests; the keys reached "
              + reached;
    }
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link KeyAffinityExpectation}. */
  public static final class Builder {
    private Optional<String> traffic = Optional.empty();
    private int atLeastInstances = 1;
    private final int keys;

    Builder(int keys) {
      if (keys < 1) {
        throw new IllegalArgumentException("keys: " + keys + " (expected: >= 1)");
      }
      this.keys = keys;
    }

    /** Judges only the requests of the traffic named {@code name}. */
    public Builder forTraffic(String name) {
      this.traffic = Optional.of(name);
      return this;
    }

    /** The keys together reach at least {@code count} instances (the hash spreads them). */
    public Builder atLeastInstances(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("atLeastInstances: " + count + " (expected: >= 1)");
      }
      this.atLeastInstances = count;
      return this;
    }

    public KeyAffinityExpectation build() {
      if (atLeastInstances > keys) {
        throw new IllegalArgumentException(
            "atLeastInstances: "
                + atLeastInstances
                + " (expected: <= keys, "
                + keys
                + ": each key reaches one instance)");
      }
      return new KeyAffinityExpectation(traffic, keys, atLeastInstances);
    }
  }
}
