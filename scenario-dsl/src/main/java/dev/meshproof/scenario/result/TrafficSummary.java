package dev.meshproof.scenario.result;

import java.util.Map;

/**
 * What happened to every request a scenario sent: the total always equals responses plus connection
 * failures, resets and timeouts, so no request is unaccounted for. Latencies are client-observed,
 * in milliseconds, from an HdrHistogram at microsecond resolution.
 */
public record TrafficSummary(
    long sent,
    long responses,
    long connectFailures,
    long resets,
    long timeouts,
    Map<Integer, Long> statusCounts,
    double p50Millis,
    double p90Millis,
    double p99Millis,
    double maxMillis) {

  public TrafficSummary {
    statusCounts = Map.copyOf(statusCounts);
    if (sent != responses + connectFailures + resets + timeouts) {
      throw new IllegalStateException(
          "requests unaccounted for: sent "
              + sent
              + " != "
              + responses
              + " responses + "
              + connectFailures
              + " connect failures + "
              + resets
              + " resets + "
              + timeouts
              + " timeouts");
    }
  }

  public static TrafficSummary none() {
    return new TrafficSummary(0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0);
  }
}
