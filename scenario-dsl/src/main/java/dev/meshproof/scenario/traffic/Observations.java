package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.TrafficSummary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Every request of a scenario run, in the order they were sent. */
public record Observations(List<RequestObservation> requests) {
  public Observations {
    requests = List.copyOf(requests);
  }

  /** Counts, outcome kinds, status mix and latency percentiles; every request is accounted for. */
  public TrafficSummary summary() {
    Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    Map<Integer, Long> statuses = new TreeMap<>();
    long responses = 0;
    long connectFailures = 0;
    long resets = 0;
    long timeouts = 0;
    for (RequestObservation r : requests) {
      latency.recordValue(
          Math.min(latency.getHighestTrackableValue(), Math.max(0, r.latency().toNanos() / 1000)));
      switch (r.kind()) {
        case RESPONSE -> {
          responses++;
          statuses.merge(r.status(), 1L, Long::sum);
        }
        case CONNECT_FAILURE -> connectFailures++;
        case RESET -> resets++;
        case TIMEOUT -> timeouts++;
      }
    }
    return new TrafficSummary(
        requests.size(),
        responses,
        connectFailures,
        resets,
        timeouts,
        statuses,
        latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(90) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0,
        latency.getMaxValue() / 1000.0);
  }

  /** The first {@code limit} requests that did not succeed, explained for the report. */
  public List<FailedRequest> failedRequests(int limit) {
    return requests.stream()
        .filter(r -> !r.succeeded())
        .limit(limit)
        .map(
            r ->
                new FailedRequest(
                    r.index(),
                    r.traffic(),
                    r.url(),
                    r.kind().name(),
                    r.status(),
                    r.instance().orElse(""),
                    r.latency().toNanos() / 1e6,
                    r.kind() == HttpOutcome.Kind.RESPONSE ? r.bodyExcerpt().strip() : r.error(),
                    r.requestId(),
                    r.proxy()))
        .toList();
  }
}
