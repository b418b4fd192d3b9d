package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.cluster;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.request;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.route;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.route.FractionalPercent;
import dev.meshproof.runtime.policy.route.MirrorPolicy;
import dev.meshproof.runtime.policy.route.RouteAction;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
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

/**
 * The router's mirroring: a copy per chosen policy, fire and forget, never touching the primary.
 */
class RouterMirrorTest {
  private static final InetSocketAddress PRIMARY = new InetSocketAddress("127.0.0.1", 9001);
  private static final InetSocketAddress MIRROR = new InetSocketAddress("127.0.0.1", 9002);

  private final VirtualClock clock = new VirtualClock();
  private final List<FullHttpRequest> toMirror = new ArrayList<>();
  private final List<CompletableFuture<FullHttpResponse>> mirrorExchanges = new ArrayList<>();

  /** The primary answers 200 at once; the mirror never answers until the test says so. */
  private final UpstreamCall upstream =
      (host, request, timeout, settings) -> {
        if (host.equals(MIRROR)) {
          toMirror.add(request);
          CompletableFuture<FullHttpResponse> pending = new CompletableFuture<>();
          mirrorExchanges.add(pending);
          return pending;
        }
        return CompletableFuture.completedFuture(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
      };

  private RequestOutcome send(MirrorPolicy... mirrors) {
    RouteAction.Builder action = RouteAction.builder().cluster("primary");
    for (MirrorPolicy mirror : mirrors) {
      action.mirrorPolicy(mirror);
    }
    Router router = new Router(RandomSource.seeded(1), upstream, clock.scheduler(), clock.clock());
    return router
        .route(
            request(
                routing(cluster("primary", PRIMARY), cluster("mirror", MIRROR)),
                Optional.of(table(route("r", action.build())))))
        .join();
  }

  @Test
  void thePrimaryAnswersWhileItsMirrorCopyIsStillPending() {
    RequestOutcome outcome = send(new MirrorPolicy("mirror", FractionalPercent.ALWAYS, true));

    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.attempts()).hasSize(1);
    assertThat(toMirror).hasSize(1);
    assertThat(mirrorExchanges.get(0)).isNotDone();
    // The mirror failing later changes nothing: the outcome is already final.
    mirrorExchanges.get(0).completeExceptionally(new IllegalStateException("mirror down"));
    clock.advance(Duration.ofSeconds(1));
  }

  @Test
  void theCopyCarriesTheHostAsThePolicySaysAndEnvoysInternalMark() {
    send(new MirrorPolicy("mirror", FractionalPercent.ALWAYS, false));
    send(new MirrorPolicy("mirror", FractionalPercent.ALWAYS, true));

    assertThat(toMirror.get(0).headers().get("host")).isEqualTo("catalog-shadow");
    assertThat(toMirror.get(1).headers().get("host")).isEqualTo("catalog");
    assertThat(toMirror)
        .allSatisfy(r -> assertThat(r.headers().get("x-envoy-internal")).isEqualTo("true"));
    assertThat(toMirror)
        .allSatisfy(r -> assertThat(r.headers().get("x-request-id")).isEqualTo("req-1"));
  }

  /** Envoy 1.40 drops a downstream x-envoy-internal: no downstream is internal by default. */
  @Test
  void aDownstreamsEnvoyInternalMarkIsNotForwarded() {
    List<FullHttpRequest> primaries = new ArrayList<>();
    UpstreamCall recording =
        (host, request, timeout, settings) -> {
          primaries.add(request);
          return CompletableFuture.completedFuture(
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        };
    var context =
        request(
            routing(cluster("primary", PRIMARY)),
            Optional.of(table(route("r", RouteAction.toCluster("primary")))));
    context.downstream().headers().set("x-envoy-internal", "true");

    new Router(RandomSource.seeded(1), recording, clock.scheduler(), clock.clock())
        .route(context)
        .join();

    assertThat(primaries)
        .singleElement()
        .satisfies(r -> assertThat(r.headers().contains("x-envoy-internal")).isFalse());
  }

  @Test
  void aZeroFractionOrAMissingMirrorClusterSendsNoCopy() {
    RequestOutcome outcome =
        send(
            new MirrorPolicy("mirror", new FractionalPercent(0, 1_000_000), true),
            new MirrorPolicy("gone", FractionalPercent.ALWAYS, true));

    assertThat(outcome.status()).isEqualTo(200);
    assertThat(toMirror).isEmpty();
  }
}
