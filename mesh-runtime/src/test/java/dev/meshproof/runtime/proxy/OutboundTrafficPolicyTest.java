package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.ProxyNode;
import dev.meshproof.runtime.xds.SidecarScope;
import dev.meshproof.runtime.xds.TranslationInput;
import dev.meshproof.runtime.xds.XdsNames;
import dev.meshproof.runtime.xds.XdsTranslator;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Hosts outside the registry, from the translation through the embedded sidecar's decoders and
 * router: {@code ALLOW_ANY} passes {@code 127.0.0.1:<port>} through the {@code PassthroughCluster}
 * to exactly that address and answers 503 UH for anything else; {@code REGISTRY_ONLY} answers 502;
 * a registered host is routed as before under both.
 */
class OutboundTrafficPolicyTest {
  private static final InetSocketAddress CATALOG = new InetSocketAddress("127.0.0.1", 20001);

  private final VirtualClock clock = new VirtualClock();
  private final List<InetSocketAddress> sentTo = new ArrayList<>();

  @Test
  void allowAnyPassesALoopbackAddressThroughToThatAddressOnly() {
    Routing routing = routing(OutboundTrafficPolicy.ALLOW_ANY);

    RequestOutcome passed = routing.send("127.0.0.1:31234");
    assertThat(passed).isInstanceOf(RequestOutcome.Proxied.class);
    assertThat(((RequestOutcome.Proxied) passed).cluster()).isEqualTo(XdsNames.PASSTHROUGH_CLUSTER);
    assertThat(((RequestOutcome.Proxied) passed).route()).isEqualTo("allow_any");
    assertThat(sentTo).containsExactly(new InetSocketAddress("127.0.0.1", 31234));
  }

  @Test
  void allowAnyAnswersNoHealthyUpstreamForAHostThatWouldLeaveLoopback() {
    Routing routing = routing(OutboundTrafficPolicy.ALLOW_ANY);

    for (String authority :
        List.of("example.com", "example.com:80", "127.0.0.1", "10.0.0.1:80", "localhost:8080")) {
      RequestOutcome outcome = routing.send(authority);
      assertThat(outcome).as(authority).isInstanceOf(RequestOutcome.LocalReply.class);
      RequestOutcome.LocalReply reply = (RequestOutcome.LocalReply) outcome;
      assertThat(reply.status()).as(authority).isEqualTo(503);
      assertThat(reply.responseFlag()).as(authority).isEqualTo(ResponseFlag.NO_HEALTHY_UPSTREAM);
      assertThat(reply.body()).as(authority).isEqualTo("no healthy upstream");
      assertThat(reply.cluster()).as(authority).isEqualTo(XdsNames.BLACKHOLE_CLUSTER);
    }
    assertThat(sentTo).isEmpty();
  }

  @Test
  void registryOnlyAnswers502ForEveryUnknownHost() {
    Routing routing = routing(OutboundTrafficPolicy.REGISTRY_ONLY);

    for (String authority : List.of("example.com", "127.0.0.1:31234", "10.0.0.1:80")) {
      RequestOutcome outcome = routing.send(authority);
      assertThat(outcome).as(authority).isInstanceOf(RequestOutcome.DirectReply.class);
      assertThat(((RequestOutcome.DirectReply) outcome).status()).isEqualTo(502);
      assertThat(((RequestOutcome.DirectReply) outcome).body()).isEmpty();
      assertThat(((RequestOutcome.DirectReply) outcome).route()).isEqualTo("block_all");
    }
    assertThat(sentTo).isEmpty();
  }

  @Test
  void aRegisteredHostIsRoutedToItsServiceUnderEitherPolicy() {
    for (OutboundTrafficPolicy policy : OutboundTrafficPolicy.values()) {
      sentTo.clear();
      RequestOutcome outcome = routing(policy).send("catalog:80");
      assertThat(outcome).as(policy.name()).isInstanceOf(RequestOutcome.Proxied.class);
      assertThat(sentTo).as(policy.name()).containsExactly(CATALOG);
    }
  }

  @Test
  void aSidecarResourcesPolicyReplacesTheMeshsForItsProxy() {
    ProxyNode scoped =
        client()
            .withScope(
                new SidecarScope(
                    "default/egress",
                    "default",
                    List.of("*/*"),
                    Optional.of(OutboundTrafficPolicy.REGISTRY_ONLY)));
    RouteConfiguration outbound =
        XdsTranslator.translate(input(scoped, OutboundTrafficPolicy.ALLOW_ANY))
            .routes()
            .resources()
            .get(XdsNames.outboundHttpRoute(80));

    assertThat(outbound.getVirtualHostsList())
        .extracting(io.envoyproxy.envoy.config.route.v3.VirtualHost::getName)
        .containsExactly("catalog.default.svc.cluster.local:80", "block_all");
  }

  @Test
  void anOriginalDestinationClusterWithoutTheHeaderOptionIsNacked() {
    Cluster cluster =
        passthrough(OutboundTrafficPolicy.ALLOW_ANY).toBuilder().clearOriginalDstLbConfig().build();

    assertThatThrownBy(() -> ClusterDecoder.cluster(cluster))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster PassthroughCluster")
        .hasMessageContaining("use_http_header");
    Cluster roundRobin =
        passthrough(OutboundTrafficPolicy.ALLOW_ANY).toBuilder()
            .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
            .build();
    assertThatThrownBy(() -> ClusterDecoder.cluster(roundRobin))
        .hasMessageContaining("expected: CLUSTER_PROVIDED");
  }

  private static Cluster passthrough(OutboundTrafficPolicy policy) {
    return snapshot(policy).clusters().resources().get(XdsNames.PASSTHROUGH_CLUSTER);
  }

  private static ProxyNode client() {
    return new ProxyNode(
        ProxyIdentity.sidecar("client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
        new InetSocketAddress("127.0.0.1", 15001),
        Optional.empty());
  }

  private static Snapshot snapshot(OutboundTrafficPolicy policy) {
    return XdsTranslator.translate(input(client(), policy));
  }

  private static TranslationInput input(ProxyNode client, OutboundTrafficPolicy policy) {
    return TranslationInput.builder(client, IstioVersionProfile.current())
        .instances(
            List.of(
                new ServiceInstance(
                    "catalog-v1-0", "catalog", "default", Map.of("version", "v1"), 80, CATALOG)))
        .meshOutboundTrafficPolicy(policy)
        .build();
  }

  private Routing routing(OutboundTrafficPolicy policy) {
    Snapshot snapshot = snapshot(policy);
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    for (Cluster cluster : snapshot.clusters().resources().values()) {
      ProxyConfig.ClusterConfig config = ClusterDecoder.cluster(cluster);
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        config =
            config.withEndpoints(
                EndpointDecoder.endpoints(snapshot.endpoints().resources().get(cluster.getName())));
      }
      clusters.put(
          cluster.getName(),
          UpstreamCluster.of(
              config, null, RandomSource.seeded(1), clock.clock(), clock.scheduler()));
    }
    RouteConfiguration outbound = snapshot.routes().resources().get(XdsNames.outboundHttpRoute(80));
    return new Routing(
        new Sidecar.RoutingState(ProxyConfig.EMPTY, Map.copyOf(clusters)),
        RouteDecoder.routes(outbound));
  }

  private final class Routing {
    private final Sidecar.RoutingState state;
    private final RouteTable table;
    private final Router router;

    Routing(Sidecar.RoutingState state, RouteTable table) {
      this.state = state;
      this.table = table;
      this.router =
          new Router(
              RandomSource.seeded(1),
              (host, request, timeout, settings) -> {
                sentTo.add(host);
                return CompletableFuture.completedFuture(
                    new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
              },
              clock.scheduler(),
              clock.clock());
    }

    RequestOutcome send(String authority) {
      return router
          .route(
              new RequestContext(
                  "virtualOutbound",
                  new RequestHeaders("GET", "/", authority, Map.of()),
                  "req-1",
                  Instant.EPOCH,
                  state,
                  Optional.of(table),
                  RequestPathFixtures.get("/"),
                  Runnable::run))
          .join();
    }
  }
}
