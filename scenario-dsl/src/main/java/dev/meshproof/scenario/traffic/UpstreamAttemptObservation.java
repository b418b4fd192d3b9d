package dev.meshproof.scenario.traffic;

import java.time.Duration;
import java.time.Instant;

/**
 * One upstream attempt of a request as the receiving service instance journaled it: joined to the
 * request by its {@code x-request-id}, so it is the same evidence on every target.
 *
 * @param instance the instance that received the attempt
 * @param status the status it answered, 0 when it answered nothing (hang, reset)
 * @param arrived when the attempt arrived at the instance
 * @param serviceTime how long the instance took (its planned delay)
 * @param envoyAttemptCount the {@code x-envoy-attempt-count} the proxy sent, 0 when absent
 * @param authority the Host / {@code :authority} the instance received (a mirror copy's shows
 *     whether the proxy appended {@code -shadow})
 */
public record UpstreamAttemptObservation(
    String instance,
    int status,
    Instant arrived,
    Duration serviceTime,
    int envoyAttemptCount,
    String authority) {

  /** An attempt whose Host is not of interest. */
  public UpstreamAttemptObservation(
      String instance, int status, Instant arrived, Duration serviceTime, int envoyAttemptCount) {
    this(instance, status, arrived, serviceTime, envoyAttemptCount, "");
  }

  @Override
  public String toString() {
    return instance
        + " "
        + (status == 0 ? "no answer" : String.valueOf(status))
        + " (attempt-count "
        + envoyAttemptCount
        + ", service "
        + serviceTime.toMillis()
        + " ms)";
  }
}
