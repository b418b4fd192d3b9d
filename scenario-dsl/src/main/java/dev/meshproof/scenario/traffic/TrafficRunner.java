package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a {@link TrafficSpec} through a client workload's sidecar: a closed loop keeping at most
 * {@code concurrency} requests in flight. Each request ends in an outcome (the client enforces the
 * per-request timeout), so the run always finishes with every request accounted for. Each request
 * carries its own {@code x-request-id} ({@link #requestId}), by which the services' journals are
 * joined to it.
 */
public final class TrafficRunner {
  private TrafficRunner() {}

  public static List<RequestObservation> run(TrafficClient client, TrafficSpec traffic) {
    HttpOutcome[] outcomes = new HttpOutcome[traffic.requests()];
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(traffic.concurrency(), traffic.requests()); lane++) {
      lanes.add(lane(client, traffic, next, outcomes));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
    List<RequestObservation> observations = new ArrayList<>(outcomes.length);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] == null) {
        throw new IllegalStateException("request " + i + " of " + traffic + " has no outcome");
      }
      observations.add(RequestObservation.of(i, traffic, requestId(traffic, i), outcomes[i]));
    }
    return observations;
  }

  /**
   * The {@code x-request-id} of request {@code index} of {@code traffic}: unique within a scenario
   * (traffic names are), and kept by the sidecar as Envoy keeps an internal request's id.
   */
  static String requestId(TrafficSpec traffic, int index) {
    return "meshproof-" + traffic.name() + "-" + index;
  }

  /** One in-flight slot: sends the next request when its previous one completes. */
  private static CompletableFuture<Void> lane(
      TrafficClient client, TrafficSpec traffic, AtomicInteger next, HttpOutcome[] outcomes) {
    int index = next.getAndIncrement();
    if (index >= outcomes.length) {
      return CompletableFuture.completedFuture(null);
    }
    return client
        .send(traffic.request().withHeader("x-request-id", requestId(traffic, index)))
        .thenCompose(
            outcome -> {
              outcomes[index] = outcome;
              return lane(client, traffic, next, outcomes);
            });
  }
}
