package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code loadBalancer.consistentHash} as istiod translates it: the cluster's lb_policy and lb
 * config from {@code ApplyRingHashLoadBalancer} (cluster_traffic_policy.go), the route's
 * hash_policy from {@code ConsistentHashToHashPolicy} and the retry policy without the
 * previous-hosts predicate ({@code ConvertPolicy(policy, consistentHash)}, route/route.go).
 */
class ConsistentHashTranslationTest {
  private static final ProxyNode CLIENT =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
          new InetSocketAddress("127.0.0.1", 15001),
          Optional.empty());

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "default",
              Map.of("version", "v1"),
              80,
              new InetSocketAddress("127.0.0.1", 20001)));

  private static TranslationInput input(String loadBalancer, String virtualService) {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: rr, labels: {version: v1}, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}
              trafficPolicy:
                loadBalancer:
            """
                + loadBalancer.indent(6)
                + virtualService,
            "dr.yaml",
            "default"));
    return TranslationInput.builder(CLIENT, IstioVersionProfile.current())
        .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(INSTANCES)
        .build();
  }

  private static String text(com.google.protobuf.MessageOrBuilder message) {
    return TextFormat.printer().shortDebugString(message);
  }

  private static List<Route> routes(TranslationInput input) {
    return new RouteConfigBuilder(input).build().get(0).getVirtualHosts(0).getRoutesList();
  }

  @Test
  void headerHashGivesARingHashClusterAndAHashPolicyOnTheDefaultRoute() {
    TranslationInput input = input("consistentHash: {httpHeaderName: x-user}", "");
    List<Cluster> clusters = new ClusterBuilder(input).build();
    assertThat(clusters.get(0).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(text(clusters.get(0).getRingHashLbConfig()))
        .isEqualTo("minimum_ring_size { value: 1024 }");
    assertThat(clusters.get(1).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    // A subset with its own load balancer replaces the rule's wholesale.
    assertThat(clusters.get(2).getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);

    Route route = routes(input).get(0);
    assertThat(text(route.getRoute().getHashPolicy(0)))
        .isEqualTo("header { header_name: \"x-user\" }");
    assertThat(route.getRoute().getRetryPolicy().getRetryHostPredicateList()).isEmpty();
  }

  @Test
  void maglevCookieSourceIpAndQueryParameter() {
    TranslationInput maglev =
        input("consistentHash: {httpCookie: {name: s, ttl: 10s}, maglev: {tableSize: 251}}", "");
    Cluster cluster = new ClusterBuilder(maglev).build().get(0);
    assertThat(cluster.getLbPolicy()).isEqualTo(Cluster.LbPolicy.MAGLEV);
    assertThat(cluster.getMaglevLbConfig().getTableSize().getValue()).isEqualTo(251);
    assertThat(text(routes(maglev).get(0).getRoute().getHashPolicy(0)))
        .isEqualTo("cookie { name: \"s\" ttl { seconds: 10 } }");

    TranslationInput ring = input("consistentHash: {useSourceIp: true, ringHash: {}}", "");
    assertThat(new ClusterBuilder(ring).build().get(0).hasRingHashLbConfig()).isFalse();
    assertThat(text(routes(ring).get(0).getRoute().getHashPolicy(0)))
        .isEqualTo("connection_properties { source_ip: true }");

    assertThat(
            text(
                routes(input("consistentHash: {httpQueryParameterName: u}", ""))
                    .get(0)
                    .getRoute()
                    .getHashPolicy(0)))
        .isEqualTo("query_parameter { name: \"u\" }");
  }

  @Test
  void virtualServiceRoutesCarryTheDestinationsHash() {
    TranslationInput input =
        input(
            "consistentHash: {httpHeaderName: x-user}",
            """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [catalog]
              http:
              - match: [{uri: {prefix: /one}}]
                route: [{destination: {host: catalog, subset: v1}}]
              - route:
                - {destination: {host: catalog, subset: v1}, weight: 50}
                - {destination: {host: catalog, subset: rr}, weight: 50}
            """);
    List<Route> routes = routes(input);
    assertThat(routes.get(0).getRoute().getHashPolicyCount()).isEqualTo(1);
    assertThat(routes.get(0).getRoute().getRetryPolicy().getRetryHostPredicateList()).isEmpty();
    // processWeightedDestination appends one per hashed destination; a weighted route keeps the
    // previous-hosts predicate.
    assertThat(routes.get(1).getRoute().getHashPolicyCount()).isEqualTo(2);
    assertThat(routes.get(1).getRoute().getRetryPolicy().getRetryHostPredicateList()).hasSize(1);
  }

  private static TranslationInput rule(String spec) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(spec, "dr.yaml", "default"));
    return TranslationInput.builder(CLIENT, IstioVersionProfile.current())
        .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(INSTANCES)
        .build();
  }

  @Test
  void subsetAndPortLevelHashesMergeAsIstiodsMergeSubsetTrafficPolicy() {
    TranslationInput input =
        rule(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              trafficPolicy:
                loadBalancer: {simple: LEAST_REQUEST}
                portLevelSettings:
                - port: {number: 80}
                  loadBalancer: {consistentHash: {httpHeaderName: x-port}}
              subsets:
              - {name: inherits, labels: {version: v1}}
              - name: own
                labels: {version: v1}
                trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, maglev: {}}}}
              - name: simple
                labels: {version: v1}
                trafficPolicy: {loadBalancer: {simple: RANDOM}}
              - name: port
                labels: {version: v1}
                trafficPolicy:
                  loadBalancer: {consistentHash: {httpHeaderName: x-subset}}
                  portLevelSettings:
                  - port: {number: 80}
                    loadBalancer: {consistentHash: {httpQueryParameterName: u}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [catalog]
              http:
              - match: [{uri: {prefix: /inherits}}]
                route: [{destination: {host: catalog, subset: inherits}}]
              - match: [{uri: {prefix: /inherits-port}}]
                route: [{destination: {host: catalog, subset: inherits, port: {number: 80}}}]
              - match: [{uri: {prefix: /own}}]
                route: [{destination: {host: catalog, subset: own}}]
              - match: [{uri: {prefix: /simple}}]
                route: [{destination: {host: catalog, subset: simple, port: {number: 80}}}]
              - route: [{destination: {host: catalog, subset: port, port: {number: 80}}}]
            """);
    Map<String, Cluster> clusters = new java.util.HashMap<>();
    new ClusterBuilder(input).build().forEach(c -> clusters.put(c.getName(), c));
    // The rule's port-level entry replaces its load balancer for port 80; a subset without a
    // loadBalancer inherits that, one with its own replaces it wholesale.
    assertThat(clusters.get("outbound|80||catalog.default.svc.cluster.local").getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(clusters.get("outbound|80|inherits|catalog.default.svc.cluster.local").getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(clusters.get("outbound|80|own|catalog.default.svc.cluster.local").getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.MAGLEV);
    assertThat(clusters.get("outbound|80|simple|catalog.default.svc.cluster.local").getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(clusters.get("outbound|80|port|catalog.default.svc.cluster.local").getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RING_HASH);

    // The routes pick field by field (HashForHTTPDestination): the rule's port-level hash only
    // when the destination names its port, a subset's simple keeps the rule's hash on the route.
    List<Route> routes = routes(input);
    assertThat(routes.get(0).getRoute().getHashPolicyCount()).isZero();
    assertThat(text(routes.get(1).getRoute().getHashPolicy(0)))
        .isEqualTo("header { header_name: \"x-port\" }");
    assertThat(text(routes.get(2).getRoute().getHashPolicy(0)))
        .isEqualTo("connection_properties { source_ip: true }");
    assertThat(text(routes.get(3).getRoute().getHashPolicy(0)))
        .isEqualTo("header { header_name: \"x-port\" }");
    assertThat(text(routes.get(4).getRoute().getHashPolicy(0)))
        .isEqualTo("query_parameter { name: \"u\" }");
  }

  @Test
  void theDefaultRouteCarriesThePortLevelHash() {
    TranslationInput input =
        rule(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              trafficPolicy:
                loadBalancer: {consistentHash: {httpHeaderName: x-rule}}
                portLevelSettings:
                - port: {number: 80}
                  loadBalancer: {consistentHash: {httpCookie: {name: s, ttl: 5s}}}
            """);
    assertThat(text(routes(input).get(0).getRoute().getHashPolicy(0)))
        .isEqualTo("cookie { name: \"s\" ttl { seconds: 5 } }");
  }
}
