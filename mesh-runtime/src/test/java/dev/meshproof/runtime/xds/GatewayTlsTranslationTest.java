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
import dev.meshproof.runtime.security.ProxyFiles;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Gateway TLS as istiod builds it ({@code buildGatewayTCPBasedFilterChains}, {@code
 * BuildListenerTLSContext}, {@code buildGatewayNetworkFiltersFromTLSRoutes}): one filter chain per
 * HTTPS server matching its hosts as server names, with the server's certificate by SDS ({@code
 * file-cert:} from files, {@code kubernetes://} from a Secret) and its own route configuration;
 * PASSTHROUGH servers' chains from the VirtualServices' {@code tls} routes.
 */
class GatewayTlsTranslationTest {
  private static final List<ServiceInstance> INSTANCES =
      List.of(
          instance("catalog", 20001, ServiceProtocol.HTTP),
          instance("orders", 20002, ServiceProtocol.HTTP),
          instance("secure", 20003, ServiceProtocol.HTTP));

  private static ServiceInstance instance(String name, int port, ServiceProtocol protocol) {
    return new ServiceInstance(
        name + "-v1-0",
        name,
        "default",
        Map.of("app", name, "version", "v1"),
        80,
        new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
        name + ".default.svc.cluster.local",
        protocol);
  }

  private static final ProxyNode GATEWAY = gateway();

  private static ProxyNode gateway() {
    Map<Integer, InetSocketAddress> pod = new TreeMap<>();
    WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS
        .values()
        .forEach(
            port ->
                pod.put(
                    port,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 30000 + port % 10000)));
    return new ProxyNode(
        ProxyIdentity.router(
            "istio-ingressgateway",
            "istio-system",
            Map.of("istio", "ingressgateway"),
            IstioVersion.CURRENT),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 15001),
        Optional.empty(),
        SidecarScope.everything("istio-system"),
        pod,
        Map.of(),
        WorkloadSpec.INGRESS_GATEWAY_SERVICE_PORTS);
  }

  private static final String CERT =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

  private static String b64(String text) {
    return Base64.getEncoder()
        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static final String TLS_GATEWAY =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: shop}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 443, name: https-catalog, protocol: HTTPS}
          hosts: [catalog.example.com]
          tls:
            mode: SIMPLE
            serverCertificate: /etc/certs/tls.crt
            privateKey: /etc/certs/tls.key
        - port: {number: 443, name: https-orders, protocol: HTTPS}
          hosts: [orders.example.com, api.example.com]
          tls: {mode: MUTUAL, credentialName: orders-credential, subjectAltNames: [client.example]}
        - port: {number: 443, name: https-duplicate, protocol: HTTPS}
          hosts: [orders.example.com]
          tls: {mode: SIMPLE, credentialName: other}
        - port: {number: 15443, name: tls, protocol: TLS}
          hosts: [secure.example.com]
          tls: {mode: PASSTHROUGH}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: orders-credential, namespace: istio-system}
      data:
        tls.crt: %s
        tls.key: %s
        ca.crt: %s
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop}
      spec:
        hosts: [catalog.example.com, orders.example.com, api.example.com]
        gateways: [shop]
        http:
        - route:
          - destination: {host: catalog}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: secure}
      spec:
        hosts: [secure.example.com]
        gateways: [shop]
        tls:
        - match:
          - sniHosts: [secure.example.com]
          route:
          - destination: {host: secure}
      """
          .formatted(b64(CERT), b64("KEY"), b64("CA"));

  @Test
  void httpsServersOnOnePortAreOneChainEachMatchingTheirHostsAsServerNames() {
    Snapshot snapshot = translate(TLS_GATEWAY);
    Listener https = snapshot.listener("0.0.0.0_8443");
    assertThat(https.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.listener.tls_inspector");
    // The third server repeats orders.example.com: istiod skips it (duplicate host names).
    assertThat(https.getFilterChainsList())
        .extracting(c -> List.copyOf(c.getFilterChainMatch().getServerNamesList()))
        .containsExactly(
            List.of("catalog.example.com"), List.of("api.example.com", "orders.example.com"));
    FilterChain catalog = https.getFilterChains(0);
    assertThat(catalog.getTransportSocketConnectTimeout().getSeconds()).isEqualTo(15);
    DownstreamTlsContext simple = tls(catalog);
    assertThat(simple.getRequireClientCertificate().getValue()).isFalse();
    assertThat(simple.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("h2", "http/1.1");
    assertThat(simple.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("file-cert:/etc/certs/tls.crt~/etc/certs/tls.key");
    assertThat(simple.getCommonTlsContext().hasCombinedValidationContext()).isFalse();
    // No server name: istiod's default prefix, the listener's.
    assertThat(hcm(catalog).getStatPrefix()).isEqualTo("outbound_0.0.0.0_8443");
    assertThat(hcm(catalog).getRds().getRouteConfigName())
        .isEqualTo("https.443.https-catalog.shop.default");

    DownstreamTlsContext mutual = tls(https.getFilterChains(1));
    assertThat(mutual.getRequireClientCertificate().getValue()).isTrue();
    var common = mutual.getCommonTlsContext();
    assertThat(common.getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("kubernetes://orders-credential");
    assertThat(
            common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName())
        .isEqualTo("kubernetes://orders-credential-cacert");
    assertThat(
            common
                .getCombinedValidationContext()
                .getDefaultValidationContext()
                .getMatchSubjectAltNames(0)
                .getExact())
        .isEqualTo("client.example");
  }

  @Test
  void eachHttpsServerHasItsOwnRouteConfigurationWithOnlyItsHosts() {
    Snapshot snapshot = translate(TLS_GATEWAY);
    assertThat(snapshot.route("https.443.https-catalog.shop.default").getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("catalog.example.com:443");
    assertThat(snapshot.route("https.443.https-orders.shop.default").getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly("api.example.com:443", "orders.example.com:443");
  }

  @Test
  void aCredentialNameIsServedFromTheSecretAsIstiodsSdsDoesTheCaFallingBackToTheSameSecret() {
    Snapshot snapshot = translate(TLS_GATEWAY);
    Map<String, Secret> secrets = snapshot.xds.secrets().resources();
    assertThat(secrets.get("kubernetes://orders-credential").getTlsCertificate())
        .satisfies(
            c -> {
              assertThat(c.getCertificateChain().getInlineBytes().toStringUtf8()).isEqualTo(CERT);
              assertThat(c.getPrivateKey().getInlineBytes().toStringUtf8()).isEqualTo("KEY");
            });
    assertThat(
            secrets
                .get("kubernetes://orders-credential-cacert")
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toStringUtf8())
        .isEqualTo("CA");
    // The file secret comes from the files mounted in the gateway.
    assertThat(secrets.get("file-cert:/etc/certs/tls.crt~/etc/certs/tls.key")).isNotNull();
  }

  @Test
  void aPassthroughServerRoutesBySniToItsTlsRoutesDestinationWithoutTerminating() {
    Snapshot snapshot = translate(TLS_GATEWAY);
    Listener passthrough = snapshot.listener("0.0.0.0_15443");
    assertThat(passthrough.getFilterChainsList()).hasSize(1);
    FilterChain chain = passthrough.getFilterChains(0);
    assertThat(chain.getFilterChainMatch().getServerNamesList())
        .containsExactly("secure.example.com");
    assertThat(chain.hasTransportSocket()).isFalse();
    assertThat(tcpProxy(chain).getCluster())
        .isEqualTo("outbound|80||secure.default.svc.cluster.local");
    assertThat(passthrough.getListenerFiltersList()).hasSize(1);
  }

  private static Snapshot translate(String yaml) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "gateways.yaml", "default"));
    return new Snapshot(
        XdsTranslator.translate(
            TranslationInput.builder(GATEWAY, IstioVersionProfile.current())
                .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
                .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
                .instances(INSTANCES)
                .gateways(config.resourcesInCreationOrder(IstioKinds.GATEWAY))
                .files(
                    ProxyFiles.of(Map.of("/etc/certs/tls.crt", CERT, "/etc/certs/tls.key", "KEY")))
                .credentials(config.resources(IstioKinds.KUBERNETES_SECRET))
                .build()));
  }

  private record Snapshot(io.envoyproxy.controlplane.cache.v3.Snapshot xds) {
    Listener listener(String name) {
      return xds.listeners().resources().values().stream()
          .filter(l -> l.getName().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no listener " + name));
    }

    RouteConfiguration route(String name) {
      return xds.routes().resources().values().stream()
          .filter(r -> r.getName().equals(name))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no route " + name + " in " + xds.routes().resources().keySet()));
    }
  }

  private static DownstreamTlsContext tls(FilterChain chain) {
    return unpack(chain.getTransportSocket().getTypedConfig(), DownstreamTlsContext.class);
  }

  private static HttpConnectionManager hcm(FilterChain chain) {
    return unpack(chain.getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static TcpProxy tcpProxy(FilterChain chain) {
    return unpack(chain.getFilters(0).getTypedConfig(), TcpProxy.class);
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
