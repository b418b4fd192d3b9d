package dev.meshproof.scenario.traffic;

import dev.meshproof.runtime.client.HttpOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
    long[] sentNanos = new long[traffic.requests()];
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    long start = System.nanoTime();
    for (int lane = 0; lane < Math.min(traffic.concurrency(), traffic.requests()); lane++) {
      lanes.add(lane(client, traffic, next, outcomes, sentNanos, start));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
    List<RequestObservation> observations = new ArrayList<>(outcomes.length);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] == null) {
        throw new IllegalStateException("request " + i + " of " + traffic + " has no outcome");
      }
      observations.add(
          RequestObservation.of(
              i,
              traffic,
              requestId(traffic, i),
              outcomes[i],
              Duration.ofNanos(sentNanos[i] - start)));
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
      TrafficClient client,
      TrafficSpec traffic,
      AtomicInteger next,
      HttpOutcome[] outcomes,
      long[] sentNanos,
      long start) {
    int index = next.getAndIncrement();
    if (index >= outcomes.length) {
      return CompletableFuture.completedFuture(null);
    }
    long due = start + traffic.pace().toNanos() * index;
    long wait = due - System.nanoTime();
    // Paced traffic waits on a timer, never by sleeping a thread.
    Executor when =
        wait > 0 ? CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS) : Runnable::run;
    return CompletableFuture.supplyAsync(
            () -> {
              sentNanos[index] = System.nanoTime();
              return client.send(
                  traffic.request().withHeader("x-request-id", requestId(traffic, index)));
            },
            when)
        .thenCompose(sent -> sent)
        .thenCompose(
            outcome -> {
              outcomes[index] = outcome;
              return lane(client, traffic, next, outcomes, sentNanos, start);
            });
  }
}
