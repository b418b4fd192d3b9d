package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Expects a count of requests whose retry the retry circuit breaker refused (a DestinationRule's
 * {@code connectionPool.http.maxRetries}, Envoy's {@code circuit_breakers.thresholds.max_retries}):
 * the upstream's own answer is returned instead of retrying, and the client proxy's access log
 * flags the request {@code UO} (Envoy's router sets {@code UpstreamOverflow} when {@code
 * RetryState::shouldRetry} answers {@code NoOverflow}). A request the connection-pool breaker
 * refused outright (a local 503 with {@code x-envoy-overloaded: true}, counted by {@link
 * OverflowExpectation}) is not one of them. Counted exactly; the evidence lists each overflowed
 * request with its upstream attempts from the services' journals.
 */
public final class RetryOverflowExpectation implements Expectation {
  private final Optional<String> traffic;
  private final long min;
  private final long max;

  private RetryOverflowExpectation(Optional<String> traffic, long min, long max) {
    this.traffic = traffic;
    this.min = min;
    this.max = max;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    traffic.ifPresent(t -> fields.put("traffic", t));
    if (max == 0) {
      fields.put("none", true);
    } else {
      fields.put("atLeast", min);
    }
    return Map.of("retryOverflows", fields);
  }

  @Override
  public String description() {
    String scope = traffic.map(t -> " of traffic " + t).orElse("");
    String what = " retry refused by the retry circuit breaker (upstream answer returned, flag UO)";
    return max == 0
        ? "no request" + scope + " has its" + what
        : "at least " + min + " request(s)" + scope + " have their" + what;
  }

  /** Whether {@code request} had a retry refused: flagged UO, answered by an upstream. */
  static boolean retryOverflowed(RequestObservation request) {
    boolean flaggedUo =
        request
            .proxy()
            .map(ProxyEvidence::responseFlags)
            .map(flags -> Arrays.asList(flags.split(",")).contains("UO"))
            .orElse(false);
    boolean localOverflow = request.status() == 503 && request.overloaded();
    return flaggedUo && !localOverflow && !request.attempts().isEmpty();
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    List<RequestObservation> requests =
        observations.requests().stream()
            .filter(r -> traffic.map(r.traffic()::equals).orElse(true))
            .toList();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    statistics.put("requests", String.valueOf(requests.size()));
    if (requests.isEmpty()) {
      return new ExpectationResult(
          description(), false, "no request was sent", statistics, List.of());
    }
    List<RequestObservation> overflowed =
        requests.stream().filter(RetryOverflowExpectation::retryOverflowed).toList();
    statistics.put("retry refused (UO, upstream answer)", String.valueOf(overflowed.size()));
    Map<Integer, Long> attempts =
        overflowed.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.attempts().size(), java.util.TreeMap::new, Collectors.counting()));
    statistics.put("attempts of those requests", attempts.toString());
    boolean passed = overflowed.size() >= min && overflowed.size() <= max;
    String message =
        overflowed.size()
            + " of "
            + requests.size()
            + " requests had a retry refused"
            + (passed ? "" : max == 0 ? " (expected none)" : " (expected at least " + min + ")")
            + (overflowed.isEmpty() ? "" : "; " + evidence(overflowed));
    return new ExpectationResult(description(), passed, message, statistics, List.of());
  }

  private static String evidence(List<RequestObservation> requests) {
    return requests.stream()
        .limit(3)
        .map(
            r ->
                "request "
                    + r.requestId()
                    + ": status "
                    + r.status()
                    + ", "
                    + r.proxy().map(ProxyEvidence::toString).orElse("no access log")
                    + ", attempts "
                    + r.attempts().stream()
                        .map(a -> a.instance() + "=" + a.status())
                        .collect(Collectors.joining(", ", "[", "]")))
        .collect(Collectors.joining("; "));
  }

  /** Configures a {@link RetryOverflowExpectation}. */
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

    /** At least {@code count} requests have a retry refused. */
    public RetryOverflowExpectation atLeast(long count) {
      if (count < 1) {
        throw new IllegalArgumentException("atLeast: " + count + " (expected: >= 1)");
      }
      return new RetryOverflowExpectation(traffic, count, Long.MAX_VALUE);
    }

    /** No request has a retry refused. */
    public RetryOverflowExpectation none() {
      return new RetryOverflowExpectation(traffic, 0, 0);
    }
  }
}
