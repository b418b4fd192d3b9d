package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The per-type builders read their Istio defaults from the profile in the translation input. */
class TranslationBuildersTest {
  private static final IstioVersionProfile CUSTOM =
      new IstioVersionProfile(
          IstioVersion.CURRENT,
          Duration.ofMillis(1500),
          LbPolicy.RANDOM,
          Duration.ofSeconds(3),
          false,
          true,
          List.of(503),
          true);

  private static final ProxyNode SERVING =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "catalog-v1-0", "default", Map.of("version", "v1"), IstioVersion.CURRENT),
          loopback(15001),
          Optional.of(new ProxyNode.Inbound(80, loopback(20001), loopback(30001))));

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0", "catalog", "default", Map.of("version", "v1"), 80, loopback(20001)),
          new ServiceInstance(
              "catalog-v2-0", "catalog", "default", Map.of("version", "v2"), 80, loopback(20002)));

  @Test
  void clustersTakeTheProfilesLoadBalancerAndConnectTimeoutUnlessARuleSetsOne() {
    TranslationInput input = input(CUSTOM);
    List<Cluster> clusters = new ClusterBuilder(input).build();

    assertThat(clusters)
        .extracting(Cluster::getName)
        .containsExactly(
            "outbound|80||catalog.default.svc.cluster.local",
            "outbound|80|v1|catalog.default.svc.cluster.local",
            "outbound|80|v2|catalog.default.svc.cluster.local",
            "BlackHoleCluster",
            "PassthroughCluster",
            "inbound|80||");
    assertThat(clusters.get(0).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(clusters.get(2).getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(clusters)
        .allSatisfy(c -> assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(3));
  }

  @Test
  void everyEdsClusterHasItsAssignmentWithTheSubsetsInstances() {
    TranslationInput input = input(IstioVersionProfile.current());
    List<ClusterLoadAssignment> endpoints = new EndpointBuilder(input).build();

    assertThat(endpoints)
        .extracting(ClusterLoadAssignment::getClusterName)
        .containsExactlyElementsOf(
            input.outboundClusters().stream().map(OutboundCluster::name).toList());
    assertThat(endpoints.get(0).getEndpoints(0).getLbEndpointsCount()).isEqualTo(2);
    assertThat(
            endpoints
                .get(2)
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(20002);
  }

  @Test
  void aNotReadyInstanceKeepsItsClustersButLeavesEds() {
    TranslationInput ready = input(IstioVersionProfile.current());
    TranslationInput input =
        TranslationInput.builder(ready.proxy(), ready.profile())
            .virtualServices(ready.virtualServices())
            .destinationRules(ready.destinationRules())
            .instances(List.of(INSTANCES.get(0), INSTANCES.get(1).withReady(false)))
            .build();

    List<ClusterLoadAssignment> endpoints = new EndpointBuilder(input).build();

    assertThat(new ClusterBuilder(input).build())
        .extracting(Cluster::getName)
        .contains("outbound|80|v2|catalog.default.svc.cluster.local");
    assertThat(endpoints.get(0).getEndpoints(0).getLbEndpointsCount()).isEqualTo(1);
    assertThat(endpoints.get(2).getEndpoints(0).getLbEndpointsCount()).isZero();
  }

  @Test
  void routesOutboundAndInboundTakeTheProfilesRouteTimeout() throws Exception {
    TranslationInput input = input(CUSTOM);
    RouteConfigBuilder routes = new RouteConfigBuilder(input);
    List<Listener> listeners = new ListenerBuilder(input, routes).build();

    List<Route> outbound = routes.build().get(0).getVirtualHosts(0).getRoutesList();
    assertThat(outbound).isNotEmpty();
    assertThat(outbound)
        .allSatisfy(r -> assertThat(r.getRoute().getTimeout().getNanos()).isEqualTo(500_000_000));
    assertThat(listeners)
        .extracting(Listener::getName)
        .containsExactly("0.0.0.0_80", "virtualOutbound", "virtualInbound");
    RouteConfiguration inbound = hcm(listeners.get(2)).getRouteConfig();
    assertThat(inbound.getVirtualHosts(0).getRoutes(0).getRoute().getTimeout().getSeconds())
        .isEqualTo(1);
  }

  @Test
  void translatorAssemblesAConsistentSnapshotVersionedByContent() {
    Snapshot current = XdsTranslator.translate(input(IstioVersionProfile.current()));
    Snapshot again = XdsTranslator.translate(input(IstioVersionProfile.current()));
    Snapshot custom = XdsTranslator.translate(input(CUSTOM));

    assertThat(again.version(XdsNames.TYPE_CLUSTER))
        .isEqualTo(current.version(XdsNames.TYPE_CLUSTER));
    assertThat(custom.version(XdsNames.TYPE_CLUSTER))
        .isNotEqualTo(current.version(XdsNames.TYPE_CLUSTER));
  }

  @Test
  void anEndpointsOnlyChangeChangesOnlyTheEndpointsVersion() {
    Snapshot before = XdsTranslator.translate(input(IstioVersionProfile.current()));
    TranslationInput moved = input(IstioVersionProfile.current());
    Snapshot after =
        XdsTranslator.translate(
            TranslationInput.builder(moved.proxy(), moved.profile())
                .virtualServices(moved.virtualServices())
                .destinationRules(moved.destinationRules())
                .instances(
                    List.of(
                        INSTANCES.get(0),
                        new ServiceInstance(
                            "catalog-v2-0",
                            "catalog",
                            "default",
                            Map.of("version", "v2"),
                            80,
                            loopback(20003))))
                .build());

    assertThat(after.version(XdsNames.TYPE_ENDPOINT))
        .isNotEqualTo(before.version(XdsNames.TYPE_ENDPOINT));
    for (String type :
        List.of(XdsNames.TYPE_CLUSTER, XdsNames.TYPE_LISTENER, XdsNames.TYPE_ROUTE)) {
      assertThat(after.version(type)).as(type).isEqualTo(before.version(type));
    }
    assertThat(XdsTranslator.snapshotVersion(after))
        .isNotEqualTo(XdsTranslator.snapshotVersion(before));
  }

  /** Istio 1.28 (DISABLE_SHADOW_HOST_SUFFIX) keeps a mirror's Host; 1.27 lets Envoy append. */
  @Test
  void mirrorPoliciesDisableTheShadowSuffixFromIstio128Only() {
    String mirror =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog, subset: v1}
            mirror: {host: catalog, subset: v2}
        """;
    for (var release : java.util.Map.of("1.27", false, "1.28", true, "1.32", true).entrySet()) {
      TranslationInput input = input(IstioVersion.of(release.getKey()).profile());
      ConfigStore config = new ConfigStore();
      config.apply(IstioYamlParser.parse(mirror, "vs.yaml", "default"));
      TranslationInput withMirror =
          TranslationInput.builder(SERVING, input.profile())
              .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
              .destinationRules(input.destinationRules())
              .instances(INSTANCES)
              .build();
      Route route =
          new RouteConfigBuilder(withMirror).build().get(0).getVirtualHosts(0).getRoutes(0);
      assertThat(route.getRoute().getRequestMirrorPoliciesList())
          .singleElement()
          .satisfies(
              policy -> {
                assertThat(policy.getCluster())
                    .isEqualTo("outbound|80|v2|catalog.default.svc.cluster.local");
                assertThat(policy.getRuntimeFraction().getDefaultValue().getNumerator())
                    .isEqualTo(100);
                assertThat(policy.getDisableShadowHostSuffixAppend())
                    .as("Istio %s", release.getKey())
                    .isEqualTo(release.getValue());
              });
    }
  }

  private static TranslationInput input(IstioVersionProfile profile) {
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
              - name: v2
                labels: {version: v2}
                trafficPolicy:
                  loadBalancer: {simple: ROUND_ROBIN}
            """,
            "dr.yaml",
            "default"));
    return TranslationInput.builder(SERVING, profile)
        .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(INSTANCES)
        .build();
  }

  private static HttpConnectionManager hcm(Listener listener)
      throws InvalidProtocolBufferException {
    return listener
        .getFilterChains(0)
        .getFilters(0)
        .getTypedConfig()
        .unpack(HttpConnectionManager.class);
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Test
  void aConnectionPoolBecomesConnectTimeoutAndHttpProtocolOptionsOutboundAndInbound()
      throws Exception {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              trafficPolicy:
                portLevelSettings:
                - port: {number: 80}
                  connectionPool:
                    tcp: {connectTimeout: 250ms}
                    http: {maxRequestsPerConnection: 2, idleTimeout: 5s}
            """,
            "dr.yaml",
            "default"));
    TranslationInput input =
        TranslationInput.builder(SERVING, IstioVersionProfile.current())
            .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
            .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
            .instances(INSTANCES)
            .build();
    // The BlackHoleCluster and PassthroughCluster keep the mesh's connect timeout: no rule's.
    List<Cluster> clusters =
        new ClusterBuilder(input)
            .build().stream().filter(c -> !c.getName().endsWith("Cluster")).toList();
    assertThat(clusters)
        .extracting(Cluster::getName)
        .containsExactly("outbound|80||catalog.default.svc.cluster.local", "inbound|80||");
    for (Cluster cluster : clusters) {
      assertThat(cluster.getConnectTimeout().getNanos()).isEqualTo(250_000_000);
      var options =
          cluster
              .getTypedExtensionProtocolOptionsOrThrow(ClusterBuilder.HTTP_PROTOCOL_OPTIONS)
              .unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      assertThat(options.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue())
          .isEqualTo(2);
      assertThat(options.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds()).isEqualTo(5);
      assertThat(options.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
      // istiod's default thresholds on inbound clusters too (applyTrafficPolicy, inbound).
      assertThat(cluster.getCircuitBreakers().getThresholds(0).getMaxRetries().getValue())
          .isEqualTo((int) 4294967295L);
    }
  }

  @Test
  void grpcAndHttp2PortsGetAnExplicitHttp2UpstreamOutboundAndInboundHttpPortsNoOptions()
      throws Exception {
    for (var protocol :
        List.of(
            dev.meshproof.runtime.registry.ServiceProtocol.GRPC,
            dev.meshproof.runtime.registry.ServiceProtocol.HTTP2)) {
      List<ServiceInstance> instances =
          INSTANCES.stream()
              .map(
                  i ->
                      new ServiceInstance(
                          i.workload(),
                          i.service(),
                          i.namespace(),
                          i.labels(),
                          i.servicePort(),
                          i.endpoint(),
                          i.hostname(),
                          protocol))
              .toList();
      TranslationInput input = input(IstioVersionProfile.current());
      List<Cluster> clusters =
          new ClusterBuilder(
                  TranslationInput.builder(SERVING, IstioVersionProfile.current())
                      .virtualServices(input.virtualServices())
                      .destinationRules(input.destinationRules())
                      .instances(instances)
                      .build())
              .build().stream().filter(c -> !c.getName().endsWith("Cluster")).toList();
      assertThat(clusters).hasSize(4);
      for (Cluster cluster : clusters) {
        var options =
            cluster
                .getTypedExtensionProtocolOptionsOrThrow(ClusterBuilder.HTTP_PROTOCOL_OPTIONS)
                .unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
        // istiod's setH2Options: empty http2_protocol_options, nothing else.
        assertThat(options)
            .as(protocol + " " + cluster.getName())
            .isEqualTo(
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                            .ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(
                                io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions
                                    .getDefaultInstance()))
                    .build());
        assertThat(dev.meshproof.runtime.proxy.ClusterDecoderAccess.http2(cluster))
            .as("the embedded sidecar decodes it as an HTTP/2 upstream")
            .isTrue();
      }
    }
    // Only the PassthroughCluster carries istiod's passthrough options on plain HTTP ports.
    assertThat(new ClusterBuilder(input(IstioVersionProfile.current())).build())
        .filteredOn(c -> !c.getName().equals(XdsNames.PASSTHROUGH_CLUSTER))
        .allSatisfy(c -> assertThat(c.getTypedExtensionProtocolOptionsMap()).isEmpty());
  }
}
