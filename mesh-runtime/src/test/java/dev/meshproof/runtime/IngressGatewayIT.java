package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An ingress gateway workload ({@link WorkloadSpec#ingressGateway()}) serving Gateways and the
 * VirtualServices bound to them, from the one translation, on both data planes: a request whose
 * Host is one of the Gateway's hosts is routed by the bound VirtualService; any other Host, or a
 * Gateway without a bound VirtualService, answers 404 NR; a VirtualService bound to the mesh only,
 * or a match limited to {@code gateways: [mesh]}, does not route at the gateway; Bookinfo's {@code
 * bookinfo-gateway.yaml} applied as-is routes {@code /productpage} through Service port 80 to the
 * pod's 8080; the tcp-echo sample's TCP server on 31400 routes connections to v1, and a Service
 * port without a Gateway server refuses connections on both.
 */
class IngressGatewayIT {

  private static final String GATEWAY =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: catalog-gateway}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: [catalog.example.com]
      """;

  private static final String BOUND_VS =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog-ingress}
      spec:
        hosts: [catalog.example.com]
        gateways: [catalog-gateway]
        http:
        - name: mesh-only
          match:
          - uri: {prefix: /internal}
            gateways: [mesh]
          route:
          - destination: {host: catalog, subset: v2}
        - name: to-v1
          route:
          - destination: {host: catalog, subset: v1}
      """;

  static Stream<Supplier<DataPlane>> dataPlanes() {
    return Stream.of(DataPlane::embedded, IngressGatewayIT::envoy);
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void gatewayRoutesItsHostsByTheBoundVirtualServiceAndAnswersNoRouteOtherwise(
      Supplier<DataPlane> dataPlane) {
    try (Mesh mesh = Mesh.builder().seed(7).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      Workload gateway = mesh.deploy(WorkloadSpec.ingressGateway().build());
      mesh.apply(CatalogTopology.DESTINATION_RULE, "dr.yaml");
      mesh.apply(GATEWAY, "gateway.yaml");
      mesh.awaitSynced();
      // A Gateway without a bound VirtualService: istiod's blackhole virtual host, 404 NR.
      assertThat(gateway.ingress(80).get("http://catalog.example.com/a").join().status())
          .isEqualTo(404);

      mesh.apply(BOUND_VS, "vs.yaml");
      // Bound to the mesh only: sidecars route catalog to v2, the gateway ignores it.
      mesh.apply(CatalogTopology.allTo("v2"), "mesh-vs.yaml");
      mesh.awaitSynced();

      for (int i = 0; i < 5; i++) {
        HttpOutcome routed = gateway.ingress(80).get("http://catalog.example.com/r" + i).join();
        assertThat(routed.status()).isEqualTo(200);
        assertThat(routed.body()).isEqualTo("catalog-v1 /r" + i);
      }
      // The match limited to gateways [mesh] is not a gateway route: the catch-all takes it.
      assertThat(gateway.ingress(80).get("http://catalog.example.com/internal").join().body())
          .isEqualTo("catalog-v1 /internal");
      // Host outside the Gateway's hosts: no virtual host, 404 NR.
      HttpOutcome otherHost = gateway.ingress(80).get("http://other.example.com/r").join();
      assertThat(otherHost.status()).isEqualTo(404);
      // The mesh still routes by the mesh-bound VirtualService.
      assertThat(catalog.client().http().get("http://catalog/m").join().body())
          .isEqualTo("catalog-v2 /m");

      List<Map<String, String>> log = awaitAccessLog(gateway.sidecar(), 7);
      assertThat(log)
          .filteredOn(l -> l.get("authority").equals("catalog.example.com"))
          .filteredOn(l -> !l.get("path").equals("/a"))
          .allSatisfy(
              l -> {
                assertThat(l.get("route_name")).isEqualTo("to-v1");
                assertThat(l.get("upstream_cluster"))
                    .isEqualTo("outbound|80|v1|catalog.default.svc.cluster.local");
              });
      assertThat(log)
          .filteredOn(l -> l.get("authority").equals("other.example.com"))
          .singleElement()
          .satisfies(l -> assertThat(l.get("response_flags")).isEqualTo("NR"));
      // Gateway port 80 is the Service port; the pod (and its listener) is on 8080.
      assertThat(gateway.sidecar().configDump())
          .contains("\"http.8080\"")
          .contains("\"0.0.0.0_8080\"");
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void bookinfoGatewaySampleAppliedAsIsRoutesProductpage(Supplier<DataPlane> dataPlane) {
    try (TestApp productpage = new TestApp("productpage");
        Mesh mesh = Mesh.builder().seed(7).dataPlane(dataPlane.get()).start()) {
      mesh.deploy(
          WorkloadSpec.builder("productpage-v1-0")
              .label("version", "v1")
              .serves("productpage", 9080, productpage.address())
              .build());
      // The sample's Gateway names 8080, the container port of Istio's default gateway, which no
      // Service port maps: istiod binds it as it is, and clients reach it through Service port 80.
      Workload gateway = mesh.deploy(WorkloadSpec.ingressGateway().build());
      mesh.apply(
          Path.of("src/test/resources/istio-samples/bookinfo__networking__bookinfo-gateway.yaml"));
      mesh.awaitSynced();

      HttpOutcome page = gateway.ingress(80).get("http://bookinfo.example/productpage").join();
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).isEqualTo("productpage /productpage");
      assertThat(gateway.ingress(80).get("http://bookinfo.example/api/v1/products/1").join())
          .satisfies(o -> assertThat(o.status()).isEqualTo(200));
      // No match for this path: the virtual host has no route for it, 404 NR.
      assertThat(gateway.ingress(80).get("http://bookinfo.example/other").join().status())
          .isEqualTo(404);
      // One listener and route configuration, for the Gateway's port only.
      assertThat(gateway.sidecar().configDump()).contains("http.8080").doesNotContain("http.80\"");
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void tcpEchoSamplesAppliedAsIsRouteGatewayConnectionsAndOtherPortsRefuse(
      Supplier<DataPlane> dataPlane) throws Exception {
    try (TcpProxyIT.PrefixEcho one = new TcpProxyIT.PrefixEcho("one");
        TcpProxyIT.PrefixEcho two = new TcpProxyIT.PrefixEcho("two");
        Mesh mesh = Mesh.builder().seed(7).dataPlane(dataPlane.get()).start()) {
      mesh.deploy(tcpEcho("tcp-echo-v1-0", "v1", one));
      mesh.deploy(tcpEcho("tcp-echo-v2-0", "v2", two));
      Workload gateway = mesh.deploy(WorkloadSpec.ingressGateway().build());
      mesh.apply(Path.of("src/test/resources/istio-samples/tcp-echo__tcp-echo-all-v1.yaml"));
      mesh.awaitSynced();

      java.net.InetSocketAddress tcp = gateway.ingressAddress(31400);
      for (int i = 0; i < 5; i++) {
        assertThat(TcpProxyIT.exchange(tcp, "hello " + i)).isEqualTo("one hello " + i);
      }
      // No Gateway server resolves to the pod's 8080 or 15443: no listener, refused as by Envoy.
      for (int port : List.of(80, 15443)) {
        java.net.InetSocketAddress unused = gateway.ingressAddress(port);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> TcpProxyIT.exchange(unused, "hello"))
            .as("Service port %d", port)
            .isInstanceOf(java.net.ConnectException.class);
      }
      assertThat(gateway.sidecar().configDump()).contains("\"0.0.0.0_31400\"");
    }
  }

  private static WorkloadSpec tcpEcho(String name, String version, TcpProxyIT.PrefixEcho app) {
    return WorkloadSpec.builder(name)
        .label("version", version)
        .serves("tcp-echo", 9000, app.address())
        .protocol(dev.meshproof.runtime.registry.ServiceProtocol.TCP)
        .build();
  }

  private static List<Map<String, String>> awaitAccessLog(SidecarProxy proxy, int lines) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(proxy::accessLogLines, l -> l.size() >= lines);
  }
}
