package dev.meshproof.scenario.result;

import java.util.List;
import java.util.Objects;

/**
 * A run's traffic over time: the requests sent in each fixed-width bucket with their errors and
 * client-observed latency percentiles, and the windows in which a chaos fault was in force, on the
 * same axis (milliseconds from the start of the traffic; traffic specs run one after another, each
 * placed after the previous one's last answer).
 *
 * @param bucketMillis the width of every bucket
 * @param buckets consecutive buckets from 0, by when each request was sent
 * @param faults the chaos faults' windows, in injection order
 */
public record TrafficTimeline(
    double bucketMillis, List<TrafficTimeline.Bucket> buckets, List<FaultWindow> faults) {

  private static final TrafficTimeline NONE = new TrafficTimeline(1, List.of(), List.of());

  /** Copies the lists and checks the width. */
  public TrafficTimeline {
    if (!(bucketMillis > 0)) {
      throw new IllegalArgumentException("bucketMillis: " + bucketMillis + " (expected: > 0)");
    }
    buckets = List.copyOf(buckets);
    faults = List.copyOf(faults);
  }

  /** No traffic and no chaos. */
  public static TrafficTimeline none() {
    return NONE;
  }

  /**
   * The requests sent in {@code [startMillis, startMillis + bucketMillis)}.
   *
   * @param requests how many were sent
   * @param errors how many did not succeed (no 2xx response)
   * @param p50Millis the median client-observed latency, NaN when no request
   * @param p99Millis the 99th percentile (nearest rank), NaN when no request
   */
  public record Bucket(
      double startMillis, long requests, long errors, double p50Millis, double p99Millis) {

    /** The fraction of this bucket's requests that failed, NaN when it has none. */
    public double errorRate() {
      return requests == 0 ? Double.NaN : (double) errors / requests;
    }
  }

  /**
   * When one chaos fault was in force, by the chaos run's event log.
   *
   * @param fault the fault's description
   * @param fromMillis when it was injected
   * @param toMillis when it was reverted (the traffic's end when the log has no revert)
   */
  public record FaultWindow(String fault, double fromMillis, double toMillis) {

    /** Checks the window. */
    public FaultWindow {
      Objects.requireNonNull(fault, "fault");
      if (!(toMillis >= fromMillis)) {
        throw new IllegalArgumentException(
            "toMillis: " + toMillis + " (expected: >= fromMillis " + fromMillis + ")");
      }
    }
  }
}
