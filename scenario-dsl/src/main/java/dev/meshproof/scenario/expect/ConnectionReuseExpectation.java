package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Expects how many requests one connection to a service's app carries, counted from the echo's
 * {@code x-echo-connection} answer (its instance and the TCP connection the request arrived on):
 * with {@code atMost}, no connection carried more (a DestinationRule's {@code
 * connectionPool.http.maxRequestsPerConnection}, which istiod sets on the outbound cluster and on
 * the serving sidecar's inbound cluster, whose connections the app sees); with {@code
 * reusedAtLeast}, some connection carried at least that many (keep-alive reuse, the negative case).
 * Counted exactly; requests answered without the header (local replies) are left out.
 */
public final class ConnectionReuseExpectation implements Expectation {
  static final String HEADER = "x-echo-connection";

  private final Optional<String> traffic;
  private final Optional<Integer> atMost;
  private final Optional<Integer> reusedAtLeast;

  private ConnectionReuseExpectation(
      Optional<String> traffic, Optional<Integer> atMost, Optional<Integer> reusedAtLeast) {
    this.traffic = traffic;
    this.atMost = atMost;
    this.reusedAtLeast = reusedAtLeast;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    atMost.ifPresent(n -> fields.put("atMost", n));
    reusedAtLeast.ifPresent(n -> fields.put("reusedAtLeast", n));
    return Map.of("requestsPerConnection", fields);
  }

  @Override
  public String description() {
    String scope = traffic.map(t -> " of traffic " + t).orElse("");
    return atMost.isPresent()
        ? "no connection to the app carries more than " + atMost.get() + " request(s)" + scope
        : "some connection to the app carries at least "
            + reusedAtLeast.orElseThrow()
            + " requests"
            + scope;
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, Long> perConnection =
        requests.stream()
            .map(r -> r.responseHeader(HEADER))
            .flatMap(Optional::stream)
            .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
    long answered = perConnection.values().stream().mapToLong(Long::longValue).sum();
    long busiest = perConnection.values().stream().mapToLong(Long::longValue).max().orElse(0);
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    statistics.put("requests", String.valueOf(requests.size()));
    statistics.put("answered with " + HEADER, String.valueOf(answered));
    statistics.put("connections", String.valueOf(perConnection.size()));
    statistics.put("most requests on one connection", String.valueOf(busiest));
    if (answered == 0) {
      return new ExpectationResult(
          description(),
          false,
          "no request was answered with " + HEADER + " (no echo reached)",
          statistics,
          List.of());
    }
    boolean passed =
        atMost.map(n -> busiest <= n).orElseGet(() -> busiest >= reusedAtLeast.orElseThrow());
    String message =
        answered
            + " requests over "
            + perConnection.size()
            + " connection(s), at most "
            + busiest
            + " on one"
            + (passed ? "" : " (expected: " + description() + ")")
            + (passed || atMost.isEmpty()
                ? ""
                : "; "
                    + perConnection.entrySet().stream()
                        .filter(e -> e.getValue() > atMost.get())
                        .limit(3)
                        .map(e -> e.getKey() + " carried " + e.getValue())
                        .collect(Collectors.joining(", ")));
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  /** Configures a {@link ConnectionReuseExpectation}. */
  public static final class Builder {
    private Optional<String> traffic = Optional.empty();

    Builder() {}

    /** Only the requests of the traffic named {@code name}. */
    public Builder forTraffic(String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("traffic: \"" + name + "\" (expected: a traffic name)");
      }
      this.traffic = Optional.of(name);
      return this;
    }

    /** No connection carries more than {@code requests}. */
    public ConnectionReuseExpectation atMost(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("atMost: " + requests + " (expected: >= 1)");
      }
      return new ConnectionReuseExpectation(traffic, Optional.of(requests), Optional.empty());
    }

    /** Some connection carries at least {@code requests}. */
    public ConnectionReuseExpectation reusedAtLeast(int requests) {
      if (requests < 2) {
        throw new IllegalArgumentException("reusedAtLeast: " + requests + " (expected: >= 2)");
      }
      return new ConnectionReuseExpectation(traffic, Optional.empty(), Optional.of(requests));
    }
  }
}
