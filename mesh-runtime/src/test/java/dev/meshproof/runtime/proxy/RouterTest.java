package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.cluster;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.request;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.route;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.transport.UpstreamException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static final InetSocketAddress V1 = new InetSocketAddress("127.0.0.1", 9001);
  private static final InetSocketAddress V2 = new InetSocketAddress("127.0.0.1", 9002);

  private final VirtualClock clock = new VirtualClock();
  private final List<InetSocketAddress> sentTo = new ArrayList<>();
  private final List<FullHttpRequest> sent = new ArrayList<>();

  /** An upstream that answers 200, or fails as {@code failure} says. */
  private UpstreamCall upstream(Optional<UpstreamException.Kind> failure) {
    return (host, request, timeout, settings) -> {
      sentTo.add(host);
      sent.add(request);
      if (failure.isPresent()) {
        return CompletableFuture.failedFuture(new UpstreamException(failure.get(), "boom", null));
      }
      return CompletableFuture.completedFuture(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
    };
  }

  private Router router(RandomSource random, Optional<UpstreamException.Kind> failure) {
    return new Router(random, upstream(failure), clock.scheduler(), clock.clock());
  }

  @Test
  void aRequestWithoutRoutesIsAnsweredNoRoute() {
    RequestOutcome outcome =
        router(RandomSource.seeded(1), Optional.empty())
            .route(request(routing(), Optional.empty()))
            .join();

    assertThat(outcome)
        .isEqualTo(
            new RequestOutcome.LocalReply(404, ResponseFlag.NO_ROUTE_FOUND, "", "-", "-", "-"));
    assertThat(sentTo).isEmpty();
  }

  @Test
  void aRouteToAnUnknownClusterIsAnsweredNoCluster() {
    RequestOutcome outcome =
        router(RandomSource.seeded(1), Optional.empty())
            .route(
                request(routing(), Optional.of(table(route("r", RouteAction.toCluster("gone"))))))
            .join();

    assertThat(outcome.status()).isEqualTo(503);
    assertThat(outcome.flag()).contains(ResponseFlag.NO_CLUSTER_FOUND);
    assertThat(outcome.cluster()).isEqualTo("gone");
  }

  @Test
  void aClusterWithoutHostsIsAnsweredNoHealthyUpstream() {
    RequestOutcome outcome =
        router(RandomSource.seeded(1), Optional.empty())
            .route(
                request(
                    routing(cluster("empty")),
                    Optional.of(table(route("r", RouteAction.toCluster("empty"))))))
            .join();

    assertThat(outcome)
        .isEqualTo(
            new RequestOutcome.LocalReply(
                503, ResponseFlag.NO_HEALTHY_UPSTREAM, "no healthy upstream", "r", "empty", "-"));
  }

  @Test
  void theWeightedDrawPicksTheClusterAndOneAttemptGoesToItsHost() {
    RouteAction split =
        RouteAction.builder()
            .weightedClusters(List.of(new WeightedCluster("v1", 90), new WeightedCluster("v2", 10)))
            .build();
    RequestContext request =
        request(
            routing(cluster("v1", V1), cluster("v2", V2)), Optional.of(table(route("r", split))));

    RequestOutcome outcome =
        router(RandomSource.pinned(90, 0), Optional.empty()).route(request).join();

    assertThat(sentTo).containsExactly(V2);
    assertThat(sent.get(0).headers().get("x-request-id")).isEqualTo("req-1");
    assertThat(sent.get(0).headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(outcome).isInstanceOf(RequestOutcome.Proxied.class);
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.flag()).isEmpty();
    assertThat(List.of(outcome.route(), outcome.cluster(), outcome.host()))
        .containsExactly("r", "v2", "127.0.0.1:9002");
    UpstreamCluster v2 = request.routing().clusters().get("v2");
    assertThat(v2.hosts.get(0).activeRequests()).isZero();
    assertThat(v2.hosts.get(0).total.sum()).isEqualTo(1);
    ((RequestOutcome.Proxied) outcome).response().release();
  }

  @Test
  void anUpstreamFailureEndsTheOnlyAttemptWithItsFlagStatusAndBody() {
    RequestContext request =
        request(
            routing(cluster("v1", V1)),
            Optional.of(table(route("r", RouteAction.toCluster("v1")))));

    RequestOutcome timeout =
        router(RandomSource.seeded(1), Optional.of(UpstreamException.Kind.TIMEOUT))
            .route(request)
            .join();
    RequestOutcome reset =
        router(RandomSource.seeded(1), Optional.of(UpstreamException.Kind.RESET))
            .route(request)
            .join();

    assertThat(sentTo).containsExactly(V1, V1);
    RequestOutcome.LocalReply timedOut = (RequestOutcome.LocalReply) timeout;
    assertThat(
            List.of(
                timedOut.status(),
                timedOut.responseFlag(),
                timedOut.body(),
                timedOut.route(),
                timedOut.cluster(),
                timedOut.host()))
        .containsExactly(
            504,
            ResponseFlag.UPSTREAM_REQUEST_TIMEOUT,
            "upstream request timeout",
            "r",
            "v1",
            "127.0.0.1:9001");
    assertThat(timedOut.attempts()).hasSize(1);
    assertThat(timedOut.retryFlag()).isEmpty();
    assertThat(reset.status()).isEqualTo(503);
    assertThat(reset.flag()).contains(ResponseFlag.UPSTREAM_CONNECTION_TERMINATION);
    assertThat(((RequestOutcome.LocalReply) reset).body())
        .isEqualTo(
            "upstream connect error or disconnect/reset before headers. reset reason: connection"
                + " termination");
  }

  @Test
  void anUnexpectedTransportErrorCountsAsAConnectFailure() {
    assertThat(Router.failureKind(new IllegalStateException("pool closed")))
        .isEqualTo(
            dev.meshproof.runtime.policy.upstream.AttemptOutcome.Failure.Kind.CONNECT_FAILURE);
  }
}
