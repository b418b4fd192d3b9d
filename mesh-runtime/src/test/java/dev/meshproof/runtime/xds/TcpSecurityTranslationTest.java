package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationScope;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.registry.ServiceProtocol;
import dev.meshproof.runtime.security.SpiffeId;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A TCP port under mutual TLS and AuthorizationPolicy translates as istiod builds it: the inbound
 * filter chains of {@code filterchain_options.go getFilterChainMatchOptions} for a TCP port by
 * mode, the downstream ALPN of {@code BuildInboundTLS}, the client's ISTIO_MUTUAL tcp_proxy cluster
 * (auto mTLS), and the network RBAC of {@code builder.go buildTCP} with {@code
 * Generate(forTCP=true)}'s treatment of HTTP-only fields.
 */
class TcpSecurityTranslationTest {
  private static final String HOST = "tcp-echo.default.svc.cluster.local";

  private static final ServiceInstance TCP_ECHO =
      new ServiceInstance(
          "tcp-echo-v1-0",
          "tcp-echo",
          "default",
          Map.of("app", "tcp-echo", "version", "v1"),
          9000,
          loopback(20001),
          HOST,
          ServiceProtocol.TCP);

  private static final ProxyNode SERVER =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "tcp-echo-v1-0",
                  "default",
                  Map.of("app", "tcp-echo", "version", "v1"),
                  IstioVersion.CURRENT),
              loopback(15002),
              Optional.of(new ProxyNode.Inbound(9000, loopback(20001), loopback(30001))))
          .withTcpOutbound(Map.of(ProxyNode.tcpKey(HOST, 9000), loopback(12001)));

  private static final ProxyNode CLIENT =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "sleep-0", "default", Map.of("app", "sleep"), IstioVersion.CURRENT),
              loopback(15001),
              Optional.empty())
          .withTcpOutbound(Map.of(ProxyNode.tcpKey(HOST, 9000), loopback(12000)));

  @Test
  void strictTerminatesMutualTlsOnOneTlsChainAdvertisingPeerExchange() throws Exception {
    Listener inbound = inbound(PeerAuthenticationMode.STRICT, List.of());

    assertThat(inbound.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.listener.tls_inspector");
    assertThat(inbound.getFilterChainsList()).hasSize(1);
    FilterChain tls = inbound.getFilterChains(0);
    assertThat(tls.getFilterChainMatch().getTransportProtocol()).isEqualTo("tls");
    DownstreamTlsContext context =
        tls.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(context.getRequireClientCertificate().getValue()).isTrue();
    assertThat(context.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "h2", "http/1.1");
    assertThat(tcpProxy(tls).getCluster()).isEqualTo("inbound|9000||");
  }

  @Test
  void permissiveAddsThePlaintextChainAndDisableHasOnlyIt() throws Exception {
    Listener permissive = inbound(PeerAuthenticationMode.PERMISSIVE, List.of());
    assertThat(permissive.getFilterChainsList())
        .extracting(
            c -> c.getFilterChainMatch().getTransportProtocol() + " " + c.hasTransportSocket())
        .containsExactly("tls true", "raw_buffer false");

    Listener disabled = inbound(PeerAuthenticationMode.DISABLE, List.of());
    assertThat(disabled.getListenerFiltersList()).isEmpty();
    assertThat(disabled.getFilterChainsList()).hasSize(1);
    assertThat(disabled.getFilterChains(0).hasFilterChainMatch()).isFalse();
    assertThat(disabled.getFilterChains(0).hasTransportSocket()).isFalse();
  }

  @Test
  void theClientsTcpProxyClusterOriginatesIstioMutualWithPeerExchangeAlpn() throws Exception {
    var cluster =
        new ClusterBuilder(input(CLIENT, PeerAuthenticationMode.STRICT, List.of()))
            .build().stream()
                .filter(c -> c.getName().equals("outbound|9000||" + HOST))
                .findFirst()
                .orElseThrow();
    UpstreamTlsContext tls =
        cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "istio");
    assertThat(tls.getSni()).isEqualTo("outbound_.9000_._." + HOST);
  }

  @Test
  void authorizationBecomesNetworkRbacBeforeTheTcpProxyWithHttpOnlyFieldsAsIstiodTreatsThem()
      throws Exception {
    List<AuthorizationPolicy> policies =
        policies(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: default}
            spec:
              selector: {matchLabels: {app: tcp-echo}}
              rules:
              - from: [{source: {principals: [cluster.local/ns/default/sa/web]}}]
                to: [{operation: {ports: ["9000"]}}]
              - from: [{source: {principals: [cluster.local/ns/default/sa/other]}}]
                to: [{operation: {methods: [GET]}}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: default}
            spec:
              selector: {matchLabels: {app: tcp-echo}}
              action: DENY
              rules:
              - from: [{source: {principals: [cluster.local/ns/default/sa/ops]}}]
                to: [{operation: {paths: ["/admin*"]}}]
            """);
    FilterChain chain = inbound(PeerAuthenticationMode.STRICT, policies).getFilterChains(0);

    assertThat(chain.getFiltersList())
        .extracting(f -> f.getName())
        .containsExactly(
            "envoy.filters.network.rbac",
            "envoy.filters.network.rbac",
            "envoy.filters.network.tcp_proxy");
    RBAC deny = chain.getFilters(0).getTypedConfig().unpack(RBAC.class);
    RBAC allow = chain.getFilters(1).getTypedConfig().unpack(RBAC.class);
    assertThat(deny.getStatPrefix()).isEqualTo("tcp.");
    assertThat(deny.getRules().getAction())
        .isEqualTo(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY);
    // The DENY rule keeps its principal; its path is dropped: any permission.
    var denyRule = deny.getRules().getPoliciesOrThrow("ns[default]-policy[deny]-rule[0]");
    assertThat(TextFormat.printer().shortDebugString(denyRule.getPermissions(0)))
        .isEqualTo("and_rules { rules { any: true } }");
    assertThat(TextFormat.printer().shortDebugString(denyRule.getPrincipals(0)))
        .contains("spiffe://cluster.local/ns/default/sa/ops");
    // The ALLOW rule naming methods is skipped; the one on principals and ports stays.
    assertThat(allow.getRules().getPoliciesMap().keySet())
        .containsExactly("ns[default]-policy[allow]-rule[0]");
  }

  @Test
  void anAllowPolicyLeftWithoutRulesOnTcpDeniesEveryConnection() throws Exception {
    List<AuthorizationPolicy> policies =
        policies(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: get-only, namespace: default}
            spec:
              rules:
              - to: [{operation: {methods: [GET]}}]
              - when: [{key: "request.headers[x-user]", values: [admin]}]
            """);
    FilterChain chain = inbound(PeerAuthenticationMode.DISABLE, policies).getFilterChains(0);
    RBAC allow = chain.getFilters(0).getTypedConfig().unpack(RBAC.class);
    assertThat(allow.getRules().getAction())
        .isEqualTo(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW);
    assertThat(allow.getRules().getPoliciesMap()).isEmpty();
  }

  private static Listener inbound(PeerAuthenticationMode mode, List<AuthorizationPolicy> policies) {
    TranslationInput input = input(SERVER, mode, policies);
    return new ListenerBuilder(input, new RouteConfigBuilder(input))
        .build().stream()
            .filter(l -> l.getName().equals(XdsNames.INBOUND_LISTENER))
            .findFirst()
            .orElseThrow();
  }

  private static TcpProxy tcpProxy(FilterChain chain) throws Exception {
    return chain.getFilters(chain.getFiltersCount() - 1).getTypedConfig().unpack(TcpProxy.class);
  }

  private static List<AuthorizationPolicy> policies(String yaml) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "authz.yaml", "default"));
    return config.resources(IstioKinds.AUTHORIZATION_POLICY);
  }

  private static TranslationInput input(
      ProxyNode proxy, PeerAuthenticationMode mode, List<AuthorizationPolicy> policies) {
    SecurityInput security =
        new SecurityInput(
            true,
            SpiffeId.DEFAULT_TRUST_DOMAIN,
            Optional.empty(),
            "",
            Map.of(),
            List.of(new PeerAuthenticationScope("default", Optional.empty(), mode, Map.of())),
            true,
            policies,
            List.of(),
            Map.of(),
            List.of());
    return TranslationInput.builder(proxy, IstioVersionProfile.current())
        .instances(List.of(TCP_ECHO))
        .security(security)
        .build();
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
