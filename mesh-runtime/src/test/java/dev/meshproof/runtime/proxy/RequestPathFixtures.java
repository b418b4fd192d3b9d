package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteAction;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.policy.route.VirtualHost;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Routing state and requests for unit tests of the request path, without sockets. */
final class RequestPathFixtures {
  private RequestPathFixtures() {}

  static RouteTable table(Route... routes) {
    return new RouteTable("test", List.of(new VirtualHost("vh", List.of("*"), List.of(routes))));
  }

  static Route route(String name, RouteAction action) {
    return new Route(name, RouteMatch.any(), action);
  }

  static Sidecar.RoutingState routing(ClusterConfig... clusters) {
    Map<String, UpstreamCluster> live = new java.util.HashMap<>();
    for (ClusterConfig cluster : clusters) {
      dev.meshproof.common.VirtualClock time = new dev.meshproof.common.VirtualClock();
      live.put(
          cluster.name(),
          UpstreamCluster.of(
              cluster, null, RandomSource.seeded(1), time.clock(), time.scheduler()));
    }
    return new Sidecar.RoutingState(ProxyConfig.EMPTY, Map.copyOf(live));
  }

  static ClusterConfig cluster(String name, InetSocketAddress... hosts) {
    return new ClusterConfig(name, LbPolicy.ROUND_ROBIN, List.of(hosts));
  }

  static FullHttpRequest get(String path) {
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
  }

  static RequestContext request(Sidecar.RoutingState routing, Optional<RouteTable> routes) {
    return new RequestContext(
        "virtualOutbound",
        new RequestHeaders("GET", "/", "catalog", Map.of()),
        "req-1",
        Instant.EPOCH,
        routing,
        routes,
        get("/"),
        Runnable::run);
  }
}
