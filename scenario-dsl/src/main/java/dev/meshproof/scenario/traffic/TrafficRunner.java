package dev.meshproof.scenario.traffic;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a {@link TrafficSpec} through a client workload's sidecar: a closed loop keeping at most
 * {@code concurrency} requests in flight. Each request ends in an outcome (the client enforces the
 * per-request timeout), so the run always finishes with every request accounted for.
 *
 * <p>Each request carries its own {@code x-request-id}, derived from the scenario seed, the
 * traffic's name and the request's sequence number ({@link #requestId}). Sidecars and fake services
 * key every random decision of the request on it, so the decisions replay from the seed whatever
 * order concurrent requests arrive in, and the proxies' access logs and the services' journals (one
 * entry per upstream attempt) join to the request by it.
 */
public final class TrafficRunner {
  private TrafficRunner() {}

  public static List<RequestObservation> run(TrafficClient client, TrafficSpec traffic, long seed) {
    HttpOutcome[] outcomes = new HttpOutcome[traffic.requests()];
    String[] requestIds = new String[traffic.requests()];
    boolean appSetsId = traffic.request().headers().containsKey("x-request-id");
    RandomSource ids = RandomSource.seeded(seed);
    for (int i = 0; i < requestIds.length; i++) {
      requestIds[i] =
          appSetsId ? traffic.request().headers().get("x-request-id") : requestId(ids, traffic, i);
    }
    long[] sentNanos = new long[traffic.requests()];
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    long start = System.nanoTime();
    for (int lane = 0; lane < Math.min(traffic.concurrency(), traffic.requests()); lane++) {
      lanes.add(lane(client, traffic, next, requestIds, outcomes, sentNanos, start));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
    List<RequestObservation> observations = new ArrayList<>(outcomes.length);
    for (int i = 0; i < outcomes.length; i++) {
      if (outcomes[i] == null) {
        throw new IllegalStateException("request " + i + " of " + traffic + " has no outcome");
      }
      observations.add(
          RequestObservation.of(
              i, requestIds[i], traffic, outcomes[i], Duration.ofNanos(sentNanos[i] - start)));
    }
    return observations;
  }

  /**
   * The {@code x-request-id} of request {@code index} of {@code traffic}: UUID4-shaped (as Envoy
   * generates them, and Envoy keeps a well-formed id from an internal client), drawn from the
   * seed's source keyed by the traffic's name and the index.
   */
  static String requestId(RandomSource seed, TrafficSpec traffic, int index) {
    return seed.forRequest(traffic.name() + "#" + index)
        .draw(
            g -> {
              long high = (g.nextLong() & ~0xF000L) | 0x4000L; // version 4
              long low = (g.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
              return new UUID(high, low).toString();
            });
  }

  /** One in-flight slot: sends the next request when its previous one completes. */
  private static CompletableFuture<Void> lane(
      TrafficClient client,
      TrafficSpec traffic,
      AtomicInteger next,
      String[] requestIds,
      HttpOutcome[] outcomes,
      long[] sentNanos,
      long start) {
    int index = next.getAndIncrement();
    if (index >= outcomes.length) {
      return CompletableFuture.completedFuture(null);
    }
    HttpRequestSpec request = traffic.request().withHeader("x-request-id", requestIds[index]);
    long due = start + traffic.pace().toNanos() * index;
    long wait = due - System.nanoTime();
    // Paced traffic waits on a timer, never by sleeping a thread.
    Executor when =
        wait > 0 ? CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS) : Runnable::run;
    return CompletableFuture.supplyAsync(
            () -> {
              sentNanos[index] = System.nanoTime();
              return client.send(request);
            },
            when)
        .thenCompose(sent -> sent)
        .thenCompose(
            outcome -> {
              outcomes[index] = outcome;
              return lane(client, traffic, next, requestIds, outcomes, sentNanos, start);
            });
  }
}
