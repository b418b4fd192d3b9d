package dev.meshproof.runtime.proxy;

import static dev.meshproof.runtime.proxy.RequestPathFixtures.cluster;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.get;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.route;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.routing;
import static dev.meshproof.runtime.proxy.RequestPathFixtures.table;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.lb.ConsistentHashLb;
import dev.meshproof.runtime.policy.lb.HashPolicy;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.RouteAction;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The router hashes the request by the route's hash policy into the cluster's ring. */
class RouterConsistentHashTest {
  private static final List<InetSocketAddress> HOSTS =
      List.of(
          new InetSocketAddress("127.0.0.1", 9001),
          new InetSocketAddress("127.0.0.1", 9002),
          new InetSocketAddress("127.0.0.1", 9003));

  private final List<InetSocketAddress> sentTo = new ArrayList<>();
  private final VirtualClock clock = new VirtualClock();

  private Router router() {
    return new Router(
        RandomSource.seeded(7),
        (host, request, timeout, settings) -> {
          sentTo.add(host);
          return CompletableFuture.completedFuture(
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        },
        clock.scheduler(),
        clock.clock());
  }

  private InetSocketAddress send(Router router, Sidecar.RoutingState routing, String user) {
    RouteAction action =
        RouteAction.builder().cluster("c").hashPolicy(new HashPolicy.Header("x-user")).build();
    RequestContext request =
        new RequestContext(
            "virtualOutbound",
            new RequestHeaders(
                "GET", "/", "catalog", user == null ? Map.of() : Map.of("x-user", List.of(user))),
            "req-1",
            Instant.EPOCH,
            routing,
            Optional.of(table(route("r", action))),
            get("/"),
            Runnable::run);
    RequestOutcome outcome = router.route(request).join();
    ((RequestOutcome.Proxied) outcome).response().release();
    return sentTo.get(sentTo.size() - 1);
  }

  @Test
  void theSameKeyReachesTheSameHostAndKeysSpread() {
    for (ConsistentHashLb lb :
        List.of(
            new ConsistentHashLb.RingHash(OptionalLong.of(1024)),
            new ConsistentHashLb.Maglev(OptionalLong.empty()))) {
      Sidecar.RoutingState routing =
          routing(
              cluster("c", HOSTS.toArray(InetSocketAddress[]::new))
                  .withConsistentHash(Optional.of(lb)));
      Router router = router();
      Map<String, InetSocketAddress> first = new HashMap<>();
      for (int round = 0; round < 3; round++) {
        for (int k = 0; k < 60; k++) {
          InetSocketAddress host = send(router, routing, "user-" + k);
          assertThat(first.computeIfAbsent("user-" + k, u -> host)).as("%s", lb).isEqualTo(host);
        }
      }
      Set<InetSocketAddress> used = new HashSet<>(first.values());
      assertThat(used).as("60 keys over 3 hosts (%s)", lb).hasSize(3);
      // Without the header the request hashes a random number: it still reaches a host.
      assertThat(HOSTS).contains(send(router, routing, null));
    }
  }
}
