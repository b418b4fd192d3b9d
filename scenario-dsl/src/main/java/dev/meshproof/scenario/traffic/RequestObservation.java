package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import java.time.Duration;
import java.util.Optional;

/**
 * What one request of a scenario did, end to end: how it ended, its status, and which workload
 * served it (service, version, instance, as the echo service names itself in its response).
 */
public record RequestObservation(
    int index,
    String traffic,
    String from,
    String url,
    HttpOutcome.Kind kind,
    int status,
    Optional<String> service,
    Optional<String> version,
    Optional<String> instance,
    Duration latency,
    String error) {

  static RequestObservation of(int index, TrafficSpec traffic, HttpOutcome outcome) {
    return new RequestObservation(
        index,
        traffic.name(),
        traffic.from(),
        traffic.request().url().toString(),
        outcome.kind(),
        outcome.status(),
        outcome.header("x-echo-service"),
        outcome.header("x-echo-version"),
        outcome.header("x-echo-instance"),
        outcome.latency(),
        outcome.error());
  }
}
