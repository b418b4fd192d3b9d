package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.Topology;
import dev.meshproof.scenario.result.TrafficSummary;
import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.result.UpstreamAttempt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Every request of a scenario run, in the order they were sent, and, when an expectation reads
 * them, what each proxy's statistics showed after the traffic (by workload instance).
 */
public record Observations(List<RequestObservation> requests, Map<String, ProxyMetrics> proxies) {
  public Observations {
    requests = List.copyOf(requests);
    proxies = Map.copyOf(proxies);
  }

  /** The requests alone: no proxy statistics were read. */
  public Observations(List<RequestObservation> requests) {
    this(requests, Map.of());
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
                    r.proxy(),
                    attempts(r.attempts()),
                    attempts(r.mirrors())))
        .toList();
  }

  /**
   * Per client and answering instance ({@code x-echo-instance}), how many requests, in first-seen
   * order; requests no instance answered are counted under an empty instance.
   */
  public List<Topology.Edge> edges() {
    Map<List<String>, Long> counts = new java.util.LinkedHashMap<>();
    for (RequestObservation r : requests) {
      counts.merge(List.of(r.from(), r.instance().orElse("")), 1L, Long::sum);
    }
    List<Topology.Edge> edges = new ArrayList<>();
    counts.forEach((k, n) -> edges.add(new Topology.Edge(k.get(0), k.get(1), n)));
    return edges;
  }

  /** How many buckets a timeline aims at: enough to see a fault window, few enough to read. */
  static final int TIMELINE_BUCKETS = 40;

  /**
   * The traffic over time with the chaos faults' windows: requests by when they were sent, in
   * buckets of a 1-2-5 width giving about {@link #TIMELINE_BUCKETS} buckets. Traffic specs ran one
   * after another, each timed from its own start: a later spec is placed after the previous one's
   * last answer.
   */
  public TrafficTimeline timeline(List<TrafficTimeline.FaultWindow> faults) {
    if (requests.isEmpty()) {
      return faults.isEmpty() ? TrafficTimeline.none() : new TrafficTimeline(1, List.of(), faults);
    }
    double[] sent = new double[requests.size()];
    double shift = 0;
    double specEnd = 0;
    String spec = requests.get(0).traffic();
    double end = 0;
    for (int i = 0; i < sent.length; i++) {
      RequestObservation r = requests.get(i);
      if (!r.traffic().equals(spec)) {
        spec = r.traffic();
        shift = specEnd;
      }
      sent[i] = shift + r.sentAt().toNanos() / 1e6;
      specEnd = Math.max(specEnd, shift + r.receivedAt().toNanos() / 1e6);
      end = Math.max(end, sent[i]);
    }
    for (TrafficTimeline.FaultWindow f : faults) {
      end = Math.max(end, f.toMillis());
    }
    double width = niceWidth(end / TIMELINE_BUCKETS);
    int count = (int) Math.floor(end / width) + 1;
    List<List<Double>> latencies = new ArrayList<>();
    long[] errors = new long[count];
    for (int b = 0; b < count; b++) {
      latencies.add(new ArrayList<>());
    }
    for (int i = 0; i < sent.length; i++) {
      int b = Math.min(count - 1, (int) Math.floor(sent[i] / width));
      RequestObservation r = requests.get(i);
      latencies.get(b).add(r.latency().toNanos() / 1e6);
      if (!r.succeeded()) {
        errors[b]++;
      }
    }
    List<TrafficTimeline.Bucket> buckets = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      List<Double> l = latencies.get(b);
      Collections.sort(l);
      buckets.add(
          new TrafficTimeline.Bucket(
              b * width, l.size(), errors[b], nearestRank(l, 0.50), nearestRank(l, 0.99)));
    }
    return new TrafficTimeline(width, buckets, faults);
  }

  /** The smallest width of the form 1, 2 or 5 times a power of ten, at least 1 ms, >= {@code w}. */
  static double niceWidth(double w) {
    double width = 1;
    while (true) {
      for (double step : new double[] {1, 2, 5}) {
        if (step * width >= w) {
          return step * width;
        }
      }
      width *= 10;
    }
  }

  private static double nearestRank(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  /** Journaled attempts as result values, offsets from the first one's arrival. */
  private static List<UpstreamAttempt> attempts(List<UpstreamAttemptObservation> journaled) {
    if (journaled.isEmpty()) {
      return List.of();
    }
    Instant first = journaled.get(0).arrived();
    return journaled.stream()
        .map(
            a ->
                new UpstreamAttempt(
                    a.instance(),
                    a.status(),
                    a.envoyAttemptCount(),
                    Duration.between(first, a.arrived()).toNanos() / 1e6,
                    a.serviceTime().toNanos() / 1e6,
                    a.authority(),
                    a.callerIdentity()))
        .toList();
  }
}
