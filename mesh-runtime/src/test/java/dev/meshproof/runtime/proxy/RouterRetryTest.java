package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.cluster;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.request;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.route;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.retry.RetryBackoff;
import dev.meshproof.runtime.policy.retry.RetryOn;
import dev.meshproof.runtime.policy.retry.RetryPolicy;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.telemetry.UpstreamAttempt;
import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import dev.meshproof.runtime.transport.UpstreamException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The router's attempt loop on a virtual clock: retries, back-off timer, timeouts, evidence. */
class RouterRetryTest {
  private static final InetSocketAddress V1 = new InetSocketAddress("127.0.0.1", 9001);

  private final VirtualClock clock = new VirtualClock();
  private final List<FullHttpRequest> sent = new ArrayList<>();
  private final List<Duration> timeouts = new ArrayList<>();
  private final List<CompletableFuture<FullHttpResponse>> exchanges = new ArrayList<>();

  /** An upstream whose exchanges the test completes by hand. */
  private Router router(long pinnedDraw) {
    UpstreamCall upstream =
        (host, request, timeout, settings) -> {
          sent.add(request);
          timeouts.add(timeout);
          CompletableFuture<FullHttpResponse> exchange = new CompletableFuture<>();
          exchanges.add(exchange);
          return exchange;
        };
    return new Router(
        RandomSource.pinned(pinnedDraw, 0), upstream, clock.scheduler(), clock.clock());
  }

  private static FullHttpResponse response(int status) {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
  }

  private static RequestContext requestWith(RouteAction action) {
    return request(routing(cluster("v1", V1)), Optional.of(table(route("r", action))));
  }

  private static RetryPolicy policy(int retries, Optional<Duration> perTry, RetryOn... on) {
    return new RetryPolicy(
        retries, EnumSet.of(on[0], on), Set.of(), perTry, true, 5, RetryBackoff.ENVOY_DEFAULT);
  }

  @Test
  void a503IsRetriedAfterTheBackoffWithTheAttemptCountUntilASuccess() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(policy(2, Optional.empty(), RetryOn.FIVE_XX))
            .includeRequestAttemptCount(true)
            .build();
    // Pinned draw 30: 30 % 25 = 5 ms before retry 1, 30 % 50 = 30 ms before retry 2.
    CompletableFuture<RequestOutcome> result = router(30).route(requestWith(action));

    exchanges.get(0).complete(response(503));
    assertThat(exchanges).hasSize(1);
    clock.advance(Duration.ofMillis(4));
    assertThat(exchanges).hasSize(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(exchanges).hasSize(2);
    exchanges.get(1).complete(response(503));
    clock.advance(Duration.ofMillis(29));
    assertThat(exchanges).hasSize(2);
    clock.advance(Duration.ofMillis(1));
    exchanges.get(2).complete(response(200));

    RequestOutcome outcome = result.join();
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.retryFlag()).isEmpty();
    assertThat(sent)
        .extracting(r -> r.headers().get("x-envoy-attempt-count"))
        .containsExactly("1", "2", "3");
    assertThat(outcome.attempts())
        .extracting(UpstreamAttempt::number, UpstreamAttempt::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 503),
            org.assertj.core.groups.Tuple.tuple(2, 503),
            org.assertj.core.groups.Tuple.tuple(3, 200));
    ((RequestOutcome.Proxied) outcome).response().release();
  }

  @Test
  void exhaustedRetriesForwardTheLastResponseFlaggedUrx() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(policy(1, Optional.empty(), RetryOn.GATEWAY_ERROR))
            .build();
    CompletableFuture<RequestOutcome> result = router(0).route(requestWith(action));
    exchanges.get(0).complete(response(502));
    clock.advance(Duration.ZERO);
    exchanges.get(1).complete(response(502));

    RequestOutcome outcome = result.join();
    assertThat(outcome.status()).isEqualTo(502);
    assertThat(outcome.retryFlag()).contains(ResponseFlag.UPSTREAM_RETRY_LIMIT_EXCEEDED);
    assertThat(outcome.attempts()).hasSize(2);
    assertThat(sent.get(0).headers().contains("x-envoy-attempt-count")).isFalse();
    ((RequestOutcome.Proxied) outcome).response().release();
  }

  @Test
  void aStatusOutsideRetryOnIsNotRetried() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(policy(3, Optional.empty(), RetryOn.GATEWAY_ERROR))
            .build();
    CompletableFuture<RequestOutcome> result = router(0).route(requestWith(action));
    exchanges.get(0).complete(response(500));

    RequestOutcome outcome = result.join();
    assertThat(outcome.status()).isEqualTo(500);
    assertThat(outcome.retryFlag()).isEmpty();
    assertThat(exchanges).hasSize(1);
    ((RequestOutcome.Proxied) outcome).response().release();
  }

  @Test
  void theRouteTimeoutAnswers504UtAndResetsTheAttemptInFlight() {
    RouteAction action =
        RouteAction.builder().cluster("v1").timeout(Duration.ofMillis(300)).build();
    CompletableFuture<RequestOutcome> result = router(0).route(requestWith(action));

    clock.advance(Duration.ofMillis(299));
    assertThat(result).isNotDone();
    clock.advance(Duration.ofMillis(1));

    RequestOutcome outcome = result.join();
    assertThat(outcome.status()).isEqualTo(504);
    assertThat(outcome.flag()).contains(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT);
    assertThat(((RequestOutcome.LocalReply) outcome).body()).isEqualTo("upstream request timeout");
    // Completing the exchange is what closes the upstream connection in the pool.
    assertThat(exchanges.get(0)).isCompletedExceptionally();
    assertThat(timeouts).containsExactly(Duration.ZERO);
  }

  @Test
  void aPerTryTimeoutFailsTheAttemptWhichIsRetriedUnderTheRouteTimeout() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .timeout(Duration.ofMillis(1000))
            .retryPolicy(policy(2, Optional.of(Duration.ofMillis(100)), RetryOn.FIVE_XX))
            .build();
    CompletableFuture<RequestOutcome> result = router(0).route(requestWith(action));
    assertThat(timeouts).containsExactly(Duration.ofMillis(100));
    // The pool fails the exchange when the per-try timer it was given fires.
    clock.advance(Duration.ofMillis(100));
    exchanges
        .get(0)
        .completeExceptionally(
            new UpstreamException(UpstreamException.Kind.TIMEOUT, "per try", null));
    clock.advance(Duration.ZERO);
    exchanges.get(1).complete(response(200));

    RequestOutcome outcome = result.join();
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.attempts())
        .extracting(UpstreamAttempt::flag)
        .containsExactly(Optional.of(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT), Optional.empty());
    assertThat(outcome.attempts().get(0).duration()).isEqualTo(Duration.ofMillis(100));
    ((RequestOutcome.Proxied) outcome).response().release();
  }

  @Test
  void theRouteTimeoutDuringABackoffCancelsTheNextAttempt() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .timeout(Duration.ofMillis(10))
            .retryPolicy(policy(2, Optional.empty(), RetryOn.FIVE_XX))
            .build();
    // Pinned draw 24: a 24 ms back-off, past the 10 ms route timeout.
    CompletableFuture<RequestOutcome> result = router(24).route(requestWith(action));
    exchanges.get(0).complete(response(503));
    clock.advance(Duration.ofMillis(10));

    assertThat(result.join().status()).isEqualTo(504);
    clock.advance(Duration.ofMillis(100));
    assertThat(exchanges).hasSize(1);
    assertThat(clock.pendingTasks()).isZero();
  }

  /** A request the app stamped with {@code x-request-id: id}, as the traffic runner does. */
  private static RequestContext stamped(String id, RouteAction action) {
    FullHttpRequest downstream = RequestPathFixtures.get("/");
    downstream.headers().set("x-request-id", id);
    return new RequestContext(
        "virtualOutbound",
        new dev.meshproof.runtime.policy.route.RequestHeaders(
            "GET", "/", "catalog", java.util.Map.of("x-request-id", List.of(id))),
        id,
        java.time.Instant.EPOCH,
        routing(cluster("v1", V1)),
        Optional.of(table(route("r", action))),
        downstream,
        Runnable::run);
  }

  /** Fails the request's latest exchange with a 503 and returns how long its back-off lasts. */
  private Duration backoffAfter503() {
    int before = exchanges.size();
    exchanges.get(before - 1).complete(response(503));
    Duration waited = Duration.ZERO;
    while (exchanges.size() == before) {
      clock.advance(Duration.ofMillis(1));
      waited = waited.plusMillis(1);
      assertThat(waited).isLessThan(Duration.ofSeconds(1));
    }
    return waited;
  }

  @Test
  void aStampedRequestsBackoffReplaysWhateverRetriedBeforeIt() {
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(policy(1, Optional.empty(), RetryOn.FIVE_XX))
            .build();
    Router alone =
        new Router(RandomSource.seeded(7), this::exchange, clock.scheduler(), clock.clock());
    CompletableFuture<RequestOutcome> b = alone.route(stamped("b", action));
    Duration bAlone = backoffAfter503();
    exchanges.get(exchanges.size() - 1).complete(response(200));
    ((RequestOutcome.Proxied) b.join()).response().release();

    // The same seed, but another request retries first: with one shared jitter stream b's
    // back-off would be the stream's second draw.
    Router afterOthers =
        new Router(RandomSource.seeded(7), this::exchange, clock.scheduler(), clock.clock());
    List<Duration> others = new ArrayList<>();
    for (String id : List.of("a", "c", "d")) {
      CompletableFuture<RequestOutcome> other = afterOthers.route(stamped(id, action));
      others.add(backoffAfter503());
      exchanges.get(exchanges.size() - 1).complete(response(200));
      ((RequestOutcome.Proxied) other.join()).response().release();
    }
    b = afterOthers.route(stamped("b", action));
    Duration bAfterOthers = backoffAfter503();
    exchanges.get(exchanges.size() - 1).complete(response(200));
    ((RequestOutcome.Proxied) b.join()).response().release();

    assertThat(bAfterOthers).isEqualTo(bAlone);
    // The back-offs are drawn, not constant, so the equality above is not trivial.
    assertThat(Set.copyOf(others)).hasSizeGreaterThan(1);
  }

  private CompletableFuture<FullHttpResponse> exchange(
      InetSocketAddress host,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings) {
    sent.add(request);
    timeouts.add(timeout);
    CompletableFuture<FullHttpResponse> exchange = new CompletableFuture<>();
    exchanges.add(exchange);
    return exchange;
  }

  @Test
  void aRetryOverTheClustersMaxRetriesIsNotAttemptedAndAnswersTheLastResponseFlaggedUo() {
    ClusterConfig oneRetry =
        new ClusterConfig(
            "v1",
            dev.meshproof.runtime.policy.lb.LbPolicy.ROUND_ROBIN,
            List.of(V1),
            new dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds(
                1024, 1024, 1024, 1, false),
            Optional.empty(),
            50);
    Sidecar.RoutingState routing = routing(oneRetry);
    RouteAction action =
        RouteAction.builder()
            .cluster("v1")
            .retryPolicy(policy(2, Optional.empty(), RetryOn.FIVE_XX))
            .build();
    Router router = router(0);
    RequestContext first = request(routing, Optional.of(table(route("r", action))));
    RequestContext second = request(routing, Optional.of(table(route("r", action))));
    CompletableFuture<RequestOutcome> firstResult = router.route(first);
    CompletableFuture<RequestOutcome> secondResult = router.route(second);

    // The first request's retry takes the cluster's one retry; the second's overflows.
    exchanges.get(0).complete(response(503));
    exchanges.get(1).complete(response(503));
    RequestOutcome overflowed = secondResult.join();
    assertThat(overflowed.status()).isEqualTo(503);
    assertThat(overflowed.retryFlag()).contains(ResponseFlag.UPSTREAM_OVERFLOW);
    assertThat(overflowed.attempts()).hasSize(1);
    var breaker = routing.clusters().get("v1").circuitBreaker;
    assertThat(breaker.counts().retryOverflows()).isEqualTo(1);
    assertThat(breaker.counts().activeRetries()).isEqualTo(1);

    clock.advance(Duration.ZERO);
    exchanges.get(2).complete(response(200));
    assertThat(firstResult.join().status()).isEqualTo(200);
    // The retry is over with its attempt: the breaker admits the next one.
    assertThat(breaker.counts().activeRetries()).isZero();
    ((RequestOutcome.Proxied) overflowed).response().release();
    ((RequestOutcome.Proxied) firstResult.join()).response().release();
  }
}
