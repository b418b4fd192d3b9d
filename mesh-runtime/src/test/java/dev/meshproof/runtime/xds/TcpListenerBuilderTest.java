package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceProtocol;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * TCP service ports translate as istiod's {@code buildSidecarOutboundTCPFilterChainOpts} and {@code
 * buildOutboundNetworkFilters}: one {@code tcp_proxy} per port, the first {@code tcp} rule whose
 * match holds for the proxy and port decides, and no HTTP virtual host for the port.
 */
class TcpListenerBuilderTest {
  private static final String HOST = "tcp-echo.default.svc.cluster.local";

  private static final ProxyNode CLIENT =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "sleep-0", "default", Map.of("app", "sleep"), IstioVersion.CURRENT),
              loopback(15001),
              Optional.empty())
          .withTcpOutbound(Map.of(ProxyNode.tcpKey(HOST, 9000), loopback(12000)));

  private static final List<ServiceInstance> INSTANCES =
      List.of(tcpEcho("tcp-echo-v1-0", "v1", 20001), tcpEcho("tcp-echo-v2-0", "v2", 20002));

  private static ServiceInstance tcpEcho(String workload, String version, int port) {
    return new ServiceInstance(
        workload,
        "tcp-echo",
        "default",
        Map.of("app", "tcp-echo", "version", version),
        9000,
        loopback(port),
        HOST,
        ServiceProtocol.TCP);
  }

  private static final String RULES =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: tcp-echo, namespace: default}
      spec:
        hosts: [tcp-echo]
        tcp:
        - match:
          - port: 9001
          route:
          - destination: {host: tcp-echo, subset: v1}
        - match:
          - sourceLabels: {app: other}
          - port: 9000
          route:
          - destination: {host: tcp-echo, port: {number: 9000}, subset: v1}
            weight: 80
          - destination: {host: tcp-echo, port: {number: 9000}, subset: v2}
            weight: 20
          - destination: {host: tcp-echo, port: {number: 9000}, subset: v3}
            weight: 0
      """;

  @Test
  void weightedRouteBecomesWeightedClustersWithTheVirtualServiceAsStatPrefix() throws Exception {
    Listener listener = outboundListener(RULES);

    assertThat(listener.getName()).isEqualTo(HOST + "_9000");
    assertThat(listener.getAddress().getSocketAddress().getPortValue()).isEqualTo(12000);
    TcpProxy proxy = tcpProxy(listener);
    assertThat(proxy.getStatPrefix()).isEqualTo("tcp-echo.default");
    assertThat(proxy.getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight())
        .containsExactly("outbound|9000|v1|" + HOST + "=80", "outbound|9000|v2|" + HOST + "=20");
    assertThat(proxy.hasIdleTimeout()).isFalse();
  }

  @Test
  void oneDestinationIsTheClusterItselfAndNoRuleMeansTheService() throws Exception {
    TcpProxy single =
        tcpProxy(
            outboundListener(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo, namespace: default}
                spec:
                  hosts: [tcp-echo]
                  tcp:
                  - route:
                    - destination: {host: tcp-echo, subset: v2}
                """));
    assertThat(single.getCluster()).isEqualTo("outbound|9000|v2|" + HOST);
    assertThat(single.getStatPrefix()).isEqualTo(single.getCluster());

    TcpProxy none = tcpProxy(outboundListener(""));
    assertThat(none.getCluster()).isEqualTo("outbound|9000||" + HOST);
    assertThat(none.getStatPrefix()).isEqualTo("outbound|9000||" + HOST);
  }

  @Test
  void aTcpPortHasNoHttpVirtualHostAndItsServerGetsAnInboundTcpProxy() throws Exception {
    TranslationInput input = input(RULES, CLIENT);
    List<RouteConfiguration> routes = new RouteConfigBuilder(input).build();
    assertThat(routes)
        .flatExtracting(RouteConfiguration::getVirtualHostsList)
        .extracting(v -> v.getName())
        .noneMatch(name -> name.contains("tcp-echo"));

    ProxyNode server =
        new ProxyNode(
                ProxyIdentity.sidecar(
                    "tcp-echo-v1-0", "default", Map.of("version", "v1"), IstioVersion.CURRENT),
                loopback(15002),
                Optional.of(new ProxyNode.Inbound(9000, loopback(20001), loopback(30001))))
            .withTcpOutbound(Map.of(ProxyNode.tcpKey(HOST, 9000), loopback(12001)));
    List<Listener> listeners =
        new ListenerBuilder(input(RULES, server), new RouteConfigBuilder(input(RULES, server)))
            .build();
    Listener inbound =
        listeners.stream()
            .filter(l -> l.getName().equals(XdsNames.INBOUND_LISTENER))
            .findFirst()
            .orElseThrow();
    assertThat(tcpProxy(inbound).getCluster()).isEqualTo("inbound|9000||");
  }

  @Test
  void aProxyWithoutAnAddressForATcpPortIsAnInternalError() {
    ProxyNode bare =
        new ProxyNode(
            ProxyIdentity.sidecar("sleep-0", "default", Map.of(), IstioVersion.CURRENT),
            loopback(15001),
            Optional.empty());
    assertThatThrownBy(() -> new TcpListenerBuilder(input("", bare)).outboundListeners())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no TCP outbound listener address for " + HOST + ":9000");
  }

  @Test
  void tcpRulesAreValidatedAsTheWebhookDoes() {
    assertThatThrownBy(
            () ->
                IstioYamlParser.parse(
                    """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: tcp-echo}
                    spec:
                      hosts: [tcp-echo]
                      tcp:
                      - match:
                        - destinationSubnets: [10.0.0.0/8]
                      - route:
                        - destination: {host: tcp-echo}
                          headers: {request: {set: {a: b}}}
                    """,
                    "vs.yaml",
                    "default"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("vs.yaml:8:")
        .hasMessageContaining("spec.tcp[0].match[0].destinationSubnets")
        .hasMessageContaining("TCP route is required")
        .hasMessageContaining("spec.tcp[1].route[0].headers");
  }

  private static Listener outboundListener(String yaml) {
    List<Listener> listeners = new TcpListenerBuilder(input(yaml, CLIENT)).outboundListeners();
    assertThat(listeners).hasSize(1);
    return listeners.get(0);
  }

  private static TcpProxy tcpProxy(Listener listener) throws InvalidProtocolBufferException {
    assertThat(listener.getFilterChainsCount()).isEqualTo(1);
    assertThat(listener.getFilterChains(0).getFilters(0).getName())
        .isEqualTo("envoy.filters.network.tcp_proxy");
    return listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
  }

  private static TranslationInput input(String yaml, ProxyNode proxy) {
    ConfigStore config = new ConfigStore();
    if (!yaml.isEmpty()) {
      config.apply(IstioYamlParser.parse(yaml, "vs.yaml", "default"));
    }
    return TranslationInput.builder(proxy, IstioVersionProfile.current())
        .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(INSTANCES)
        .build();
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
