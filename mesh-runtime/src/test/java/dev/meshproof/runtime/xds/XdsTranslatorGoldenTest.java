package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.ExtensionProvider;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.security.SpiffeId;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Pins the generated xDS byte for byte: the snapshot of a catalogue-like topology, printed as
 * Envoy's JSON in snapshot order with its content version, must equal the golden file captured from
 * the translator before it was split into per-type builders. A change here is a change of what
 * every proxy receives, so it must be deliberate.
 */
class XdsTranslatorGoldenTest {
  private static final String CONFIG =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        trafficPolicy:
          loadBalancer: {simple: ROUND_ROBIN}
        subsets:
        - {name: v1, labels: {version: v1}}
        - name: v2
          labels: {version: v2}
          trafficPolicy:
            loadBalancer: {simple: RANDOM}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: other}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
        - {name: v3, labels: {version: v3}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - name: jason
          match:
          - headers:
              end-user: {exact: jason}
              x-tier: {prefix: gold}
            uri: {prefix: /api}
            ignoreUriCase: true
            method: {exact: GET}
            authority: {regex: "catalog(:80)?"}
            withoutHeaders:
              x-debug: {regex: ".+"}
              x-trace: {}
          - uri: {exact: /healthz}
            headers:
              x-canary: {}
          - uri: {regex: "/items/[0-9]+"}
          route:
          - destination: {host: catalog, subset: v2}
        - name: canary
          route:
          - destination: {host: catalog, subset: v1}
            weight: 90
          - destination: {host: catalog, subset: v2}
            weight: 10
          mirror: {host: ratings}
          mirrorPercentage: {value: 12.5}
          fault:
            delay: {fixedDelay: 2s, percentage: {value: 10}}
            abort: {grpcStatus: UNAVAILABLE, percentage: {value: 0.5}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: other}
      spec:
        hosts: [reviews]
        http:
        - match:
          - uri: {prefix: /ratings}
          route:
          - destination: {host: ratings.default.svc.cluster.local}
          mirrors:
          - destination: {host: reviews, subset: v2}
          - destination: {host: reviews, subset: v3}
            percentage: {value: 0}
          - destination: {host: ratings.default.svc.cluster.local}
            percentage: {value: 50}
          fault:
            abort: {httpStatus: 418}
        - route:
          - destination: {host: reviews, subset: v1, port: {number: 9080}}
            weight: 100
          - destination: {host: reviews, subset: v3}
            weight: 0
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: ratings-gateway}
      spec:
        hosts: [ratings]
        gateways: [ingress]
        http:
        - route:
          - destination: {host: catalog}
      """;

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          instance("catalog-v1-0", "catalog", "default", "v1", 80, 20001),
          instance("catalog-v2-0", "catalog", "default", "v2", 80, 20002),
          instance("catalog-v1-0", "catalog", "default", "v1", 9090, 20003),
          instance("reviews-v2-0", "reviews", "other", "v2", 9080, 20005),
          instance("reviews-v1-0", "reviews", "other", "v1", 9080, 20004),
          instance("reviews-v3-0", "reviews", "other", "v3", 9080, 20006),
          instance("ratings-v1-0", "ratings", "default", "v1", 8080, 20007));

  /**
   * Where the control plane put each sidecar's outbound HTTP listener of the services' ports (the
   * same addresses for every proxy here: no two of them run at once).
   */
  private static final Map<Integer, java.net.InetSocketAddress> HTTP_OUTBOUND =
      Map.of(
          80, loopback(15080), 8080, loopback(15880), 9080, loopback(15980), 9090, loopback(15990));

  private static final ProxyNode CLIENT =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
              loopback(15001),
              Optional.empty())
          .withHttpOutbound(HTTP_OUTBOUND);

  private static final ProxyNode CATALOG_V1 =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "catalog-v1-0",
                  "default",
                  Map.of("app", "catalog", "version", "v1"),
                  IstioVersion.CURRENT),
              loopback(15011),
              Optional.of(new ProxyNode.Inbound(80, loopback(20001), loopback(30001))))
          .withHttpOutbound(HTTP_OUTBOUND);

  /**
   * catalog-v1-0 serving both ports of its Service (80 and 9090, as {@link #INSTANCES} registers
   * it): an inbound listener and cluster per port.
   */
  private static final ProxyNode CATALOG_V1_TWO_PORTS =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "catalog-v1-0",
                  "default",
                  Map.of("app", "catalog", "version", "v1"),
                  IstioVersion.CURRENT),
              loopback(15011),
              List.of(
                  new ProxyNode.Inbound(80, loopback(20001), loopback(30001)),
                  new ProxyNode.Inbound(
                      9090, loopback(20003), loopback(30003), XdsNames.inboundListener(1, 9090))),
              SidecarScope.everything("default"),
              Map.of(),
              Map.of(),
              Map.of())
          .withHttpOutbound(HTTP_OUTBOUND);

  private static final ProxyNode REVIEWS_CLIENT =
      new ProxyNode(
              ProxyIdentity.sidecar(
                  "reviews-v1-0",
                  "other",
                  Map.of("app", "reviews", "version", "v1"),
                  IstioVersion.CURRENT),
              loopback(15021),
              Optional.of(new ProxyNode.Inbound(9080, loopback(20004), loopback(30004))))
          .withHttpOutbound(HTTP_OUTBOUND);

  @Test
  void clientOnlySidecarGetsTheGoldenXds() throws Exception {
    assertGolden("client", print(translate(CLIENT)));
  }

  @Test
  void servingSidecarGetsTheGoldenXdsWithItsInboundListenerAndCluster() throws Exception {
    assertGolden("catalog-v1", print(translate(CATALOG_V1)));
  }

  @Test
  void sidecarServingTwoPortsGetsAnInboundListenerAndClusterPerPort() throws Exception {
    assertGolden("catalog-v1-two-ports", print(translate(CATALOG_V1_TWO_PORTS)));
  }

  @Test
  void sidecarInAnotherNamespaceGetsTheGoldenXdsWithItsShortNames() throws Exception {
    assertGolden("reviews-v1", print(translate(REVIEWS_CLIENT)));
  }

  @Test
  void istio128ProfileTracksRemainingCircuitBreakersAndLeavesEnvoysPanicThreshold()
      throws Exception {
    IstioVersionProfile istio128 = IstioVersion.of("1.28").profile();
    assertGolden("catalog-v1-istio128", print(translate(CATALOG_V1, istio128)));
  }

  /**
   * catalog-v1-0's inbound listener with the AuthorizationPolicies of {@code
   * golden-catalog-v1-authz.yaml} (ALLOW, DENY, AUDIT, a dry-run DENY, CUSTOM, and one selecting
   * another workload) and the CUSTOM policy's provider: the RBAC filters and the ext_authz filter,
   * in istiod's order, before the router.
   */
  @Test
  void servingSidecarGetsTheGoldenRbacAndExtAuthzFiltersOnItsInboundListener() throws Exception {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            resource("/xds/golden-catalog-v1-authz.yaml"),
            "golden-catalog-v1-authz.yaml",
            "default"));
    ExtensionProvider provider =
        new ExtensionProvider(
            "ratings-authz",
            "ratings.default.svc.cluster.local",
            8080,
            Optional.of(Duration.ofMillis(1500)),
            "/check",
            true,
            Optional.of(503),
            List.of("authorization", "x-tier"),
            Map.of("x-ext-authz-from", "catalog"),
            List.of("x-user"),
            List.of("x-reason"),
            List.of());
    SecurityInput security =
        new SecurityInput(
            false,
            SpiffeId.DEFAULT_TRUST_DOMAIN,
            Optional.empty(),
            "",
            Map.of(),
            List.of(),
            false,
            config.resourcesInCreationOrder(IstioKinds.AUTHORIZATION_POLICY),
            List.of(),
            Map.of(),
            List.of(provider));

    assertGolden(
        "catalog-v1-authz", print(translate(CATALOG_V1, IstioVersionProfile.current(), security)));
  }

  private static Snapshot translate(ProxyNode proxy) {
    return translate(proxy, IstioVersionProfile.current());
  }

  private static Snapshot translate(ProxyNode proxy, IstioVersionProfile profile) {
    return translate(proxy, profile, SecurityInput.NONE);
  }

  private static Snapshot translate(
      ProxyNode proxy, IstioVersionProfile profile, SecurityInput security) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(CONFIG, "golden.yaml", "default"));
    return XdsTranslator.translate(
        TranslationInput.builder(proxy, profile)
            .virtualServices(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE))
            .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
            .instances(INSTANCES)
            .security(security)
            .build());
  }

  /** Every resource in snapshot order, per type, with the snapshot's content version. */
  private static String print(Snapshot snapshot) throws InvalidProtocolBufferException {
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(XdsJson.TYPES);
    StringBuilder out = new StringBuilder();
    out.append("version ").append(XdsTranslator.snapshotVersion(snapshot)).append('\n');
    for (String type :
        List.of(
            XdsNames.TYPE_LISTENER,
            XdsNames.TYPE_ROUTE,
            XdsNames.TYPE_CLUSTER,
            XdsNames.TYPE_ENDPOINT)) {
      out.append("# ").append(XdsNames.shortType(type)).append('\n');
      for (Map.Entry<String, VersionedResource<?>> resource : snapshot.resources(type).entrySet()) {
        out.append("## ").append(resource.getKey()).append('\n');
        out.append(printer.print(resource.getValue().resource())).append('\n');
      }
    }
    return out.toString();
  }

  /**
   * Compares with the golden file; {@code -Dmeshproof.golden.update=true} rewrites the file in
   * src/test/resources instead, for an intended change (review the diff).
   */
  private static void assertGolden(String name, String actual) throws IOException {
    if (Boolean.getBoolean("meshproof.golden.update")) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of("src/test/resources/xds/golden-" + name + ".txt"), actual);
      return;
    }
    assertThat(actual).isEqualTo(golden(name));
  }

  private static String golden(String name) throws IOException {
    return resource("/xds/golden-" + name + ".txt");
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = XdsTranslatorGoldenTest.class.getResourceAsStream(path)) {
      assertThat(in).as("test resource %s", path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static ServiceInstance instance(
      String workload, String service, String namespace, String version, int port, int ep) {
    return new ServiceInstance(
        workload,
        service,
        namespace,
        Map.of("app", service, "version", version),
        port,
        loopback(ep));
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }
}
