package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.request;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.route;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The router's plug-in points for circuit breaking and outlier detection. */
class RouterCircuitOutlierTest {
  private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 9001);
  private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 9002);

  private final VirtualClock clock = new VirtualClock();
  private final List<InetSocketAddress> sentTo = new ArrayList<>();
  private final List<CompletableFuture<FullHttpResponse>> inFlight = new ArrayList<>();

  private static FullHttpResponse response(int status) {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
  }

  private Router slowRouter() {
    return new Router(
        RandomSource.seeded(1),
        (host, request, timeout, settings) -> {
          request.release();
          sentTo.add(host);
          CompletableFuture<FullHttpResponse> pending = new CompletableFuture<>();
          inFlight.add(pending);
          return pending;
        },
        clock.scheduler(),
        clock.clock());
  }

  @Test
  void overMaxPendingRequestsARequestIsRefusedAtOnceWithUpstreamOverflow() {
    ClusterConfig config =
        new ClusterConfig(
            "c",
            LbPolicy.ROUND_ROBIN,
            List.of(A),
            new CircuitBreakerThresholds(1, 1, 100, 3, false),
            Optional.empty(),
            0);
    Sidecar.RoutingState routing = routing(config);
    Router router = slowRouter();
    var table = Optional.of(table(route("r", RouteAction.toCluster("c"))));

    CompletableFuture<RequestOutcome> first = router.route(request(routing, table));
    CompletableFuture<RequestOutcome> queued = router.route(request(routing, table));
    RequestOutcome refused = router.route(request(routing, table)).join();

    assertThat(refused)
        .isEqualTo(
            new RequestOutcome.LocalReply(
                503,
                ResponseFlag.UPSTREAM_OVERFLOW,
                Router.OVERFLOW_BODY,
                "r",
                "c",
                "127.0.0.1:9001"));
    assertThat(sentTo).containsExactly(A);
    // The first response frees the connection, which the queued request takes.
    inFlight.get(0).complete(response(200));
    assertThat(first.join().status()).isEqualTo(200);
    assertThat(sentTo).containsExactly(A, A);
    inFlight.get(1).complete(response(200));
    assertThat(queued.join().status()).isEqualTo(200);
    assertThat(routing.clusters().get("c").circuitBreaker.counts().activeRequests()).isZero();
  }

  @Test
  void aHostEjectedByConsecutive5xxIsNotPickedUntilItReturns() {
    OutlierDetectionPolicy policy =
        new OutlierDetectionPolicy(
            1,
            100,
            0,
            0,
            false,
            5,
            100,
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofSeconds(300),
            100,
            false);
    ClusterConfig config =
        new ClusterConfig(
            "c",
            LbPolicy.ROUND_ROBIN,
            List.of(A, B),
            CircuitBreakerThresholds.ENVOY_DEFAULTS,
            Optional.of(policy),
            0);
    Sidecar.RoutingState routing = routing(config);
    Router router =
        new Router(
            RandomSource.seeded(1),
            (host, request, timeout, settings) -> {
              request.release();
              sentTo.add(host);
              return CompletableFuture.completedFuture(response(host.equals(A) ? 500 : 200));
            },
            clock.scheduler(),
            clock.clock());
    var table = Optional.of(table(route("r", RouteAction.toCluster("c"))));

    for (int i = 0; i < 5; i++) {
      RequestOutcome outcome = router.route(request(routing, table)).join();
      if (outcome instanceof RequestOutcome.Proxied proxied) {
        proxied.response().release();
      }
    }

    assertThat(sentTo).containsExactly(A, B, B, B, B);
    assertThat(
            routing
                .clusters()
                .get("c")
                .outlierDetector
                .orElseThrow()
                .isEjected(routing.clusters().get("c").hosts.get(0)))
        .isTrue();
  }
}
