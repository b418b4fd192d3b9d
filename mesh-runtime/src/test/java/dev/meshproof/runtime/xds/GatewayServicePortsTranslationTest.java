package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceProtocol;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The ingress gateway of Istio's demo profile behind its Service (80 to the pod's 8080, 31400 as it
 * is): server ports resolved to listener ports as istiod's {@code resolvePorts}, servers merged per
 * listener port as {@code MergeGateways}, the gateway class's connection manager ({@code
 * buildGatewayConnectionManager}), and opaque TCP servers routed by the VirtualServices' {@code
 * tcp} rules ({@code buildGatewayNetworkFiltersFromTCPRoutes}), with Istio's tcp-echo samples
 * unchanged.
 */
class GatewayServicePortsTranslationTest {
  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "default",
              Map.of("app", "catalog", "version", "v1"),
              80,
              loopback(20001),
              "catalog.default.svc.cluster.local",
              ServiceProtocol.HTTP),
          tcpEcho("v1", 20002),
          tcpEcho("v2", 20003));

  private static ServiceInstance tcpEcho(String version, int port) {
    return new ServiceInstance(
        "tcp-echo-" + version + "-0",
        "tcp-echo",
        "default",
        Map.of("app", "tcp-echo", "version", version),
        9000,
        loopback(port),
        "tcp-echo.default.svc.cluster.local",
        ServiceProtocol.TCP);
  }

  /** The demo profile's gateway: pod ports 8080, 8443, 31400, 15443 behind Service ports. */
  private static final ProxyNode GATEWAY = gateway();

  private static ProxyNode gateway() {
    Map<Integer, InetSocketAddress> pod = new TreeMap<>();
    WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS
        .values()
        .forEach(port -> pod.put(port, loopback(30000 + port % 10000)));
    return new ProxyNode(
        ProxyIdentity.router(
            "istio-ingressgateway",
            "istio-system",
            Map.of("istio", "ingressgateway"),
            IstioVersion.CURRENT),
        loopback(15001),
        Optional.empty(),
        SidecarScope.everything("istio-system"),
        pod,
        Map.of(),
        WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS);
  }

  private static final String HTTP_GATEWAYS =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: web}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: [catalog.example.com]
        - port: {number: 9999, name: http-unexposed, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: pod-port}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 8080, name: http, protocol: HTTP}
          hosts: [shop.example.com]
        - port: {number: 31400, name: http-on-tcp-port, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: tcp-after-http}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: tcp, protocol: TCP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog.example.com, shop.example.com]
        gateways: [web, pod-port]
        http:
        - route:
          - destination: {host: catalog}
        tcp:
        - route:
          - destination: {host: catalog}
      """;

  @Test
  void serverPort80ListensOnThePodsTargetPort8080WhereAServerOn8080Merges() {
    Snapshot snapshot = translate(HTTP_GATEWAYS);
    // 9999 is no Service port and no pod port: no listener here (GatewayServers says why).
    assertThat(snapshot.listeners())
        .extracting(Listener::getName)
        .containsExactlyInAnyOrder("0.0.0.0_8080", "0.0.0.0_31400");
    Listener http = snapshot.listener("0.0.0.0_8080");
    assertThat(http.getAddress().getSocketAddress().getPortValue()).isEqualTo(38080);
    assertThat(hcm(http).getRds().getRouteConfigName()).isEqualTo("http.8080");
    assertThat(hcm(http).getStatPrefix()).isEqualTo("outbound_0.0.0.0_8080");
    RouteConfiguration route = snapshot.route("http.8080");
    // Virtual hosts are named by each server's own port, as istiod's util.DomainName(host, port).
    assertThat(route.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("catalog.example.com:80", "shop.example.com:8080");
  }

  @Test
  void theFirstServerOnAListenerPortDecidesItsProtocolAndAConflictingOneIsSkipped() {
    Snapshot snapshot = translate(HTTP_GATEWAYS);
    // The TCP server on 80 (resolved to 8080) came after the HTTP one: skipped, as istiod logs
    // "conflict with existing server"; 31400 carries the HTTP server of pod-port.
    assertThat(hcm(snapshot.listener("0.0.0.0_8080")).hasRds()).isTrue();
    assertThat(hcm(snapshot.listener("0.0.0.0_31400")).getRds().getRouteConfigName())
        .isEqualTo("http.31400");
    assertThat(snapshot.route("http.31400").getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("catalog.example.com:31400", "shop.example.com:31400");
  }

  @Test
  void gatewayConnectionManagerHasIstiodsGatewayClassSettings() {
    HttpConnectionManager hcm = hcm(translate(HTTP_GATEWAYS).listener("0.0.0.0_8080"));
    assertThat(hcm.getServerName()).isEqualTo("istio-envoy");
    assertThat(hcm.getServerHeaderTransformation())
        .isEqualTo(HttpConnectionManager.ServerHeaderTransformation.OVERWRITE);
    assertThat(hcm.getForwardClientCertDetails())
        .isEqualTo(HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET);
    assertThat(hcm.getSetCurrentClientCertDetails().getSubject().getValue()).isTrue();
    assertThat(hcm.getSetCurrentClientCertDetails().getCert()).isTrue();
    assertThat(hcm.getSetCurrentClientCertDetails().getDns()).isTrue();
    assertThat(hcm.getSetCurrentClientCertDetails().getUri()).isTrue();
    assertThat(hcm.hasHttpProtocolOptions()).isTrue();
    assertThat(hcm.getXffNumTrustedHops()).isZero();
    assertThat(hcm.getNormalizePath().getValue()).isTrue();
    assertThat(hcm.getPathWithEscapedSlashesAction())
        .isEqualTo(HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED);
    // The deliberate difference (docs/translation.md): istiod's true would replace every
    // client's x-request-id at the edge.
    assertThat(hcm.getUseRemoteAddress().getValue()).isFalse();
  }

  @Test
  void httpsRedirectMakesTheServersVirtualHostsRequireTls() {
    Snapshot snapshot =
        translate(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http-redirect, protocol: HTTP}
                hosts: [secure.example.com]
                tls: {httpsRedirect: true}
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: [plain.example.com]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog}
            spec:
              hosts: [secure.example.com, plain.example.com]
              gateways: [web]
              http:
              - route:
                - destination: {host: catalog}
            """);
    RouteConfiguration route = snapshot.route("http.8080");
    assertThat(route.getVirtualHostsList())
        .extracting(v -> v.getName() + " " + v.getRequireTls())
        .containsExactly("plain.example.com:80 NONE", "secure.example.com:80 ALL");
  }

  @Test
  void tcpEchoAllV1SampleGivesTheTcpServerATcpProxyToSubsetV1() throws Exception {
    Snapshot snapshot = translateSamples("tcp-echo__tcp-echo-all-v1.yaml");
    assertThat(snapshot.listeners()).extracting(Listener::getName).containsExactly("0.0.0.0_31400");
    Listener listener = snapshot.listener("0.0.0.0_31400");
    assertThat(listener.getAddress().getSocketAddress().getPortValue())
        .isEqualTo(31400 % 10000 + 30000);
    TcpProxy tcp = tcpProxy(listener);
    assertThat(tcp.getCluster()).isEqualTo("outbound|9000|v1|tcp-echo.default.svc.cluster.local");
    assertThat(tcp.getStatPrefix()).isEqualTo(tcp.getCluster());
    assertThat(snapshot.routes()).isEmpty();
  }

  @Test
  void tcpEcho20V2SampleSplitsTheTcpServerByWeight() throws Exception {
    Snapshot snapshot =
        translateSamples("tcp-echo__tcp-echo-all-v1.yaml", "tcp-echo__tcp-echo-20-v2.yaml");
    TcpProxy tcp = tcpProxy(snapshot.listener("0.0.0.0_31400"));
    assertThat(tcp.getStatPrefix()).isEqualTo("tcp-echo.default");
    assertThat(tcp.getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight())
        .containsExactly(
            "outbound|9000|v1|tcp-echo.default.svc.cluster.local=80",
            "outbound|9000|v2|tcp-echo.default.svc.cluster.local=20");
  }

  @Test
  void aTcpServerWithoutAMatchingTcpRuleGetsNoListener() {
    Snapshot snapshot =
        translate(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: tcp}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 31400, name: tcp, protocol: TCP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: other-port}
            spec:
              hosts: ["*"]
              gateways: [tcp]
              tcp:
              - match:
                - port: 15443
                route:
                - destination: {host: tcp-echo, port: {number: 9000}}
            """);
    // istiod: "listener missed network filter", and a listener without filter chains is dropped.
    assertThat(snapshot.listeners()).isEmpty();
  }

  private static Snapshot translate(String yaml) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "gateways.yaml", "default"));
    return translate(config);
  }

  private static Snapshot translateSamples(String... files) throws Exception {
    ConfigStore config = new ConfigStore();
    for (String file : files) {
      config.apply(
          IstioYamlParser.parse(
              Path.of(
                  GatewayServicePortsTranslationTest.class
                      .getResource("/istio-samples/" + file)
                      .toURI()),
              "default"));
    }
    return translate(config);
  }

  private static Snapshot translate(ConfigStore config) {
    return new Snapshot(
        XdsTranslator.translate(
            TranslationInput.builder(GATEWAY, IstioVersionProfile.current())
                .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
                .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
                .instances(INSTANCES)
                .gateways(config.resourcesInCreationOrder(IstioKinds.GATEWAY))
                .build()));
  }

  /** The translated resources of the gateway. */
  private record Snapshot(io.envoyproxy.controlplane.cache.v3.Snapshot xds) {
    List<Listener> listeners() {
      return List.copyOf(xds.listeners().resources().values());
    }

    List<RouteConfiguration> routes() {
      return List.copyOf(xds.routes().resources().values());
    }

    Listener listener(String name) {
      return listeners().stream()
          .filter(l -> l.getName().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no listener " + name + " in " + listeners()));
    }

    RouteConfiguration route(String name) {
      return routes().stream()
          .filter(r -> r.getName().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no route " + name));
    }
  }

  private static HttpConnectionManager hcm(Listener listener) {
    try {
      return listener
          .getFilterChains(0)
          .getFilters(0)
          .getTypedConfig()
          .unpack(HttpConnectionManager.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static TcpProxy tcpProxy(Listener listener) {
    try {
      return listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }
}
