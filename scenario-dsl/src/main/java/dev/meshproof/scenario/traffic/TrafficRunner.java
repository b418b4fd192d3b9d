package dev.meshproof.scenario.traffic;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.scenario.load.HttpProtocol;
import dev.meshproof.scenario.load.LoadGenerator;
import dev.meshproof.scenario.load.LoadOutcome;
import dev.meshproof.scenario.load.LoadPhase;
import dev.meshproof.scenario.load.LoadRequest;
import dev.meshproof.scenario.load.LoadResult;
import dev.meshproof.scenario.load.LoadTarget;
import dev.meshproof.scenario.load.RequestSource;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a {@link TrafficSpec} through a client workload's sidecar. An HTTP/1.1 closed loop goes
 * through the app's client ({@link TrafficClient#send}) keeping at most {@code concurrency}
 * requests in flight; an open loop, and any HTTP/2 traffic, goes through the {@link LoadGenerator}
 * the benchmark uses (one implementation of open loop without coordinated omission). Each request
 * ends in an outcome (the client enforces the per-request timeout), so the run always finishes with
 * every request sent accounted for.
 *
 * <p>Each request carries its own {@code x-request-id}, derived from the scenario seed, the
 * traffic's name and the request's sequence number ({@link #requestId}). Sidecars and fake services
 * key every random decision of the request on it, so the decisions replay from the seed whatever
 * order concurrent requests arrive in, and the proxies' access logs and the services' journals (one
 * entry per upstream attempt) join to the request by it.
 */
public final class TrafficRunner {
  /** Requests sent by every traffic block of this JVM so far (for live progress lines). */
  private static final java.util.concurrent.atomic.LongAdder SENT =
      new java.util.concurrent.atomic.LongAdder();

  private TrafficRunner() {}

  /** Requests sent so far by this JVM's traffic (any scenario): a progress counter. */
  public static long requestsSent() {
    return SENT.sum();
  }

  /**
   * Sends {@code traffic} and returns one observation per request sent, in sequence order: every
   * request sent has an outcome (a response, a connection failure or reset, or a timeout).
   */
  public static List<RequestObservation> run(TrafficClient client, TrafficSpec traffic, long seed) {
    RandomSource ids = RandomSource.seeded(seed);
    if (traffic.openLoop() || traffic.protocol() != TrafficProtocol.HTTP1) {
      return throughLoadGenerator(client, traffic, ids);
    }
    return closedLoop(client, traffic, ids);
  }

  /** The request {@code index} as sent: its variation applied, with its {@code x-request-id}. */
  private static HttpRequestSpec request(TrafficSpec traffic, RandomSource ids, int index) {
    HttpRequestSpec request = traffic.requestFor(index);
    return request.headers().containsKey("x-request-id")
        ? request
        : request.withHeader("x-request-id", requestId(ids, traffic, index));
  }

  /** One request sent and its outcome. */
  private record Sent(HttpRequestSpec request, HttpOutcome outcome, long sentNanos) {}

  private static List<RequestObservation> closedLoop(
      TrafficClient client, TrafficSpec traffic, RandomSource ids) {
    Map<Integer, Sent> sent = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    long start = System.nanoTime();
    long stop = traffic.duration().isZero() ? Long.MAX_VALUE : traffic.duration().toNanos();
    int limit = traffic.requests() == 0 ? Integer.MAX_VALUE : traffic.requests();
    Lanes shared = new Lanes(client, traffic, ids, next, sent, start, stop, limit);
    for (int lane = 0; lane < Math.min(traffic.concurrency(), limit); lane++) {
      lanes.add(lane(shared));
    }
    CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
    List<RequestObservation> observations = new ArrayList<>(sent.size());
    for (int i = 0; i < sent.size(); i++) {
      Sent one = sent.get(i);
      if (one == null) {
        throw new IllegalStateException("request " + i + " of " + traffic + " has no outcome");
      }
      observations.add(
          RequestObservation.of(
              i,
              one.request().headers().get("x-request-id"),
              traffic,
              one.request(),
              one.outcome(),
              Duration.ofNanos(one.sentNanos() - start)));
    }
    return observations;
  }

  /** What the lanes of one closed loop share. */
  private record Lanes(
      TrafficClient client,
      TrafficSpec traffic,
      RandomSource ids,
      AtomicInteger next,
      Map<Integer, Sent> sent,
      long start,
      long stopAfterNanos,
      int limit) {}

  /**
   * One in-flight slot: sends the next request when its previous one completes. The time bound is
   * checked before a sequence number is claimed, so the numbers sent are exactly 0..n-1.
   */
  private static CompletableFuture<Void> lane(Lanes lanes) {
    if (System.nanoTime() - lanes.start() >= lanes.stopAfterNanos()) {
      return CompletableFuture.completedFuture(null);
    }
    int index = lanes.next().getAndUpdate(n -> n >= lanes.limit() ? n : n + 1);
    if (index >= lanes.limit()) {
      return CompletableFuture.completedFuture(null);
    }
    HttpRequestSpec request = request(lanes.traffic(), lanes.ids(), index);
    long due = lanes.start() + lanes.traffic().pace().toNanos() * index;
    long wait = due - System.nanoTime();
    // Paced traffic waits on a timer, never by sleeping a thread.
    Executor when =
        wait > 0 ? CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS) : Runnable::run;
    long[] sentNanos = new long[1];
    return CompletableFuture.supplyAsync(
            () -> {
              sentNanos[0] = System.nanoTime();
              SENT.increment();
              return lanes.client().send(request);
            },
            when)
        .thenCompose(outcome -> outcome)
        .thenCompose(
            outcome -> {
              lanes.sent().put(index, new Sent(request, outcome, sentNanos[0]));
              return lane(lanes);
            });
  }

  /**
   * Open loop (any protocol) and HTTP/2 closed loop: the benchmark's {@link LoadGenerator} on
   * {@code concurrency} connections to the client's sidecar, each request told back with its
   * answer. Latency counts from the intended start (open loop: {@code i / rate}); a connection the
   * sidecar closes is reopened for later requests, as an app's client would.
   */
  private static List<RequestObservation> throughLoadGenerator(
      TrafficClient client, TrafficSpec traffic, RandomSource ids) {
    HttpRequestSpec first = traffic.request();
    InetSocketAddress sidecar = client.outbound(first.port());
    LoadTarget target = new LoadTarget(sidecar, first.authority(), first.pathAndQuery());
    RequestSource source =
        index -> {
          HttpRequestSpec spec = request(traffic, ids, Math.toIntExact(index));
          SENT.increment();
          return new LoadRequest(
              spec.method(), spec.pathAndQuery(), spec.authority(), spec.headers(), spec.body());
        };
    Map<Long, LoadOutcome> outcomes = new ConcurrentHashMap<>();
    LoadGenerator.Options options =
        LoadGenerator.options(target)
            .protocol(
                traffic.protocol() == TrafficProtocol.HTTP2
                    ? HttpProtocol.H2C
                    : HttpProtocol.HTTP_1_1)
            .connections(traffic.concurrency())
            .requests(source)
            .listener(outcomes::putIfAbsent)
            .reopenDeadConnections(true);
    long maxRequests = traffic.requests() == 0 ? Long.MAX_VALUE : traffic.requests();
    Duration timeout = traffic.request().timeout();
    LoadPhase phase =
        traffic.openLoop()
            ? new LoadPhase(
                LoadPhase.Kind.OPEN_LOOP,
                traffic.rate(),
                traffic.duration().isZero()
                    ? Duration.ofNanos((long) Math.ceil(maxRequests * 1e9 / traffic.rate()))
                    : traffic.duration(),
                maxRequests,
                timeout)
            : new LoadPhase(
                LoadPhase.Kind.CLOSED_LOOP,
                0,
                traffic.duration().isZero() ? Duration.ofDays(1) : traffic.duration(),
                maxRequests,
                timeout);
    long connecting = System.nanoTime();
    LoadGenerator connected;
    try {
      connected = LoadGenerator.connect(options);
    } catch (IllegalStateException e) {
      return connectFailures(traffic, ids, e, connecting);
    }
    LoadResult result;
    long start;
    try (LoadGenerator load = connected) {
      // Offsets count from the phase's start (request 0's intended start), after connecting.
      start = System.nanoTime();
      result = load.run(phase);
    }
    Map<Long, LoadOutcome> seen = Map.copyOf(outcomes);
    List<RequestObservation> observations = new ArrayList<>();
    for (int i = 0; i < result.issued(); i++) {
      HttpRequestSpec request = request(traffic, ids, i);
      LoadOutcome outcome = seen.get((long) i);
      HttpOutcome http;
      long intended;
      if (outcome == null) {
        // Still open when the phase ended: the load generator counted it as a timeout too.
        http =
            new HttpOutcome(
                HttpOutcome.Kind.TIMEOUT,
                0,
                Map.of(),
                "",
                timeout,
                "no answer within " + timeout.toMillis() + " ms");
        intended = start + (traffic.openLoop() ? (long) (i * 1e9 / traffic.rate()) : 0);
      } else {
        http = httpOutcome(outcome, timeout);
        intended = outcome.intendedStartNanos();
      }
      RequestObservation observation =
          RequestObservation.of(
              i,
              request.headers().get("x-request-id"),
              traffic,
              request,
              http,
              Duration.ofNanos(Math.max(0, intended - start)));
      if (outcome != null && GrpcCalls.isGrpc(request)) {
        Optional<StreamTiming> timing = GrpcCalls.streamTiming(outcome);
        if (timing.isPresent()) {
          observation = observation.withStream(timing.get());
        }
      }
      observations.add(observation);
    }
    return observations;
  }

  private static HttpOutcome httpOutcome(LoadOutcome outcome, Duration timeout) {
    Duration latency = Duration.ofNanos(outcome.latencyNanos());
    return switch (outcome.kind()) {
      case RESPONSE ->
          new HttpOutcome(
              HttpOutcome.Kind.RESPONSE,
              outcome.status(),
              outcome.headers(),
              new String(outcome.body(), StandardCharsets.UTF_8),
              latency,
              "");
      case CONNECTION_ERROR ->
          new HttpOutcome(
              HttpOutcome.Kind.RESET,
              0,
              Map.of(),
              "",
              latency,
              "connection closed before the answer");
      case TIMEOUT ->
          new HttpOutcome(
              HttpOutcome.Kind.TIMEOUT,
              0,
              Map.of(),
              "",
              latency,
              "no answer within " + timeout.toMillis() + " ms");
    };
  }

  /** The sidecar refused the connections: every planned request is a connect failure. */
  private static List<RequestObservation> connectFailures(
      TrafficSpec traffic, RandomSource ids, RuntimeException e, long start) {
    long planned = Math.min(traffic.plannedRequests().orElse(1), Integer.MAX_VALUE);
    Duration spent = Duration.ofNanos(System.nanoTime() - start);
    List<RequestObservation> observations = new ArrayList<>();
    for (int i = 0; i < planned; i++) {
      HttpRequestSpec request = request(traffic, ids, i);
      observations.add(
          RequestObservation.of(
              i,
              request.headers().get("x-request-id"),
              traffic,
              request,
              new HttpOutcome(
                  HttpOutcome.Kind.CONNECT_FAILURE, 0, Map.of(), "", spent, e.getMessage()),
              Duration.ZERO));
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
}
