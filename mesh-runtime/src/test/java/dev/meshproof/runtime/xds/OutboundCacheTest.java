package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Sidecars whose outbound inputs are equal share one outbound translation (the same cluster,
 * endpoint and route objects), their own parts stay their own, the shared result is what each would
 * have been translated alone, and a change that reaches one proxy's outbound input replaces only
 * that proxy's entry.
 */
class OutboundCacheTest {
  private static final List<ServiceInstance> INSTANCES =
      List.of(
          instance("catalog-v1-0", "catalog", "a", "v1", 20001),
          instance("catalog-v2-0", "catalog", "a", "v2", 20002),
          instance("reviews-v1-0", "reviews", "b", "v1", 20003));

  private static ServiceInstance instance(
      String workload, String service, String namespace, String version, int port) {
    return new ServiceInstance(
        workload,
        service,
        namespace,
        Map.of("app", service, "version", version),
        80,
        new InetSocketAddress("127.0.0.1", port));
  }

  /** A serving sidecar of {@code workload} in {@code namespace} with its own ports. */
  private static ProxyNode sidecar(String workload, String namespace, String app, int base) {
    return new ProxyNode(
        ProxyIdentity.sidecar(
            workload, namespace, Map.of("app", app, "version", "v1"), IstioVersion.CURRENT),
        new InetSocketAddress("127.0.0.1", base),
        Optional.of(
            new ProxyNode.Inbound(
                80,
                new InetSocketAddress("127.0.0.1", base + 1),
                new InetSocketAddress("127.0.0.1", base + 2))));
  }

  private static TranslationInput input(ProxyNode proxy, String yaml) {
    ConfigStore config = new ConfigStore();
    if (!yaml.isEmpty()) {
      config.apply(IstioYamlParser.parse(yaml, "config.yaml", "a"));
    }
    List<VirtualService> virtualServices =
        TranslationInput.visibleVirtualServices(
            config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE), proxy);
    List<DestinationRule> rules =
        TranslationInput.visibleDestinationRules(
            config.resources(IstioKinds.DESTINATION_RULE), proxy.namespace());
    return TranslationInput.builder(proxy, IstioVersionProfile.current())
        .virtualServices(virtualServices)
        .destinationRules(rules)
        .instances(INSTANCES)
        .build();
  }

  private static final String SUBSETS_IN_A =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog, namespace: a}
      spec:
        host: catalog.a.svc.cluster.local
        exportTo: [.]
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  @Test
  void sidecarsWithEqualOutboundInputsShareTheSameObjects() {
    OutboundCache cache = new OutboundCache();
    TranslationInput first = input(sidecar("catalog-v1-0", "a", "catalog", 15001), SUBSETS_IN_A);
    TranslationInput second = input(sidecar("ratings-v1-0", "a", "ratings", 16001), SUBSETS_IN_A);

    Snapshot one = XdsTranslator.translate(first, cache);
    Snapshot two = XdsTranslator.translate(second, cache);

    assertThat(cache.builds()).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(1);
    for (String type : List.of(XdsNames.TYPE_ENDPOINT, XdsNames.TYPE_ROUTE)) {
      one.resources(type)
          .forEach(
              (name, r) ->
                  assertThat(two.resources(type).get(name).resource()).isSameAs(r.resource()));
    }
    one.resources(XdsNames.TYPE_CLUSTER)
        .forEach(
            (name, cluster) -> {
              if (!name.startsWith("inbound|")) {
                assertThat(two.resources(XdsNames.TYPE_CLUSTER).get(name).resource())
                    .isSameAs(cluster.resource());
              }
            });
    assertThat(one.resources(XdsNames.TYPE_CLUSTER))
        .containsKey("outbound|80|v2|catalog.a.svc.cluster.local")
        .containsKey(XdsNames.inboundCluster(80));
    // Their own parts are their own: each listens where it was told to.
    assertThat(one.listeners().resources()).isNotEqualTo(two.listeners().resources());
    // Shared or not, each snapshot is what its proxy's translation alone gives, versions included.
    assertSameTranslation(one, first);
    assertSameTranslation(two, second);
  }

  @Test
  void aChangeToOneProxysOutboundInputReplacesOnlyItsEntry() {
    OutboundCache cache = new OutboundCache();
    ProxyNode inA = sidecar("client-a", "a", "client", 15001);
    ProxyNode inB = sidecar("client-b", "b", "client", 16001);
    Snapshot beforeA = XdsTranslator.translate(input(inA, ""), cache);
    Snapshot beforeB = XdsTranslator.translate(input(inB, ""), cache);
    cache.retainOnly(List.of(inA.id(), inB.id()));
    assertThat(cache.size()).isEqualTo(2);

    // A DestinationRule exported only within namespace a: b's input, and so its entry, is as it
    // was; a's outbound input changed, so a gets a new entry and its old one is dropped.
    TranslationInput changedA = input(inA, SUBSETS_IN_A);
    TranslationInput sameB = input(inB, SUBSETS_IN_A);
    assertThat(sameB).isEqualTo(input(inB, ""));
    Snapshot afterA = XdsTranslator.translate(changedA, cache);
    Snapshot afterB = XdsTranslator.translate(sameB, cache);
    cache.retainOnly(List.of(inA.id(), inB.id()));

    assertThat(cache.builds()).isEqualTo(3);
    assertThat(cache.size()).isEqualTo(2);
    assertThat(afterB.routes().resources().get(XdsNames.outboundHttpRoute(80)))
        .isSameAs(beforeB.routes().resources().get(XdsNames.outboundHttpRoute(80)));
    // a's entry was built again (the third build) but its routes did not change: a resource equal
    // to one built before is that instance (CanonicalResources), so nothing downstream compares it.
    assertThat(afterA.routes().resources().get(XdsNames.outboundHttpRoute(80)))
        .isSameAs(beforeA.routes().resources().get(XdsNames.outboundHttpRoute(80)));
    assertThat(afterA.clusters().resources()).isNotEqualTo(beforeA.clusters().resources());
    assertThat(afterA.clusters().resources())
        .containsKey("outbound|80|v1|catalog.a.svc.cluster.local");
    assertThat(afterB.clusters().resources())
        .doesNotContainKey("outbound|80|v1|catalog.a.svc.cluster.local");
    assertSameTranslation(afterA, changedA);

    // A proxy that leaves takes its entry with it.
    cache.retainOnly(List.of(inA.id()));
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void anEndpointChangeGivesANewEntryWhoseEndpointsFollowIt() {
    OutboundCache cache = new OutboundCache();
    ProxyNode client = sidecar("client-a", "a", "client", 15001);
    TranslationInput before = input(client, "");
    Snapshot first = XdsTranslator.translate(before, cache);
    List<ServiceInstance> moved =
        List.of(
            INSTANCES.get(0),
            INSTANCES.get(1),
            instance("reviews-v1-0", "reviews", "b", "v1", 20009));
    TranslationInput after =
        TranslationInput.builder(client, before.profile())
            .virtualServices(before.virtualServices())
            .destinationRules(before.destinationRules())
            .instances(moved)
            .build();
    Snapshot second = XdsTranslator.translate(after, cache);
    cache.retainOnly(List.of(client.id()));

    assertThat(cache.builds()).isEqualTo(2);
    assertThat(cache.size()).isEqualTo(1);
    assertThat(second.version(XdsNames.TYPE_ENDPOINT))
        .isNotEqualTo(first.version(XdsNames.TYPE_ENDPOINT));
    assertThat(second.version(XdsNames.TYPE_CLUSTER))
        .isEqualTo(first.version(XdsNames.TYPE_CLUSTER));
    assertThat(
            second
                .resources(XdsNames.TYPE_ENDPOINT)
                .get("outbound|80||reviews.b.svc.cluster.local")
                .resource()
                .toString())
        .contains("port_value: 20009");
    assertSameTranslation(second, after);
  }

  /**
   * Labels the outbound translation compares are in the key: a VirtualService route for {@code
   * sourceLabels} app=catalog reaches the catalog sidecar, not the ratings one, so the two no
   * longer share routes.
   */
  @Test
  void sourceLabelsKeepProxiesWhoseRoutesDifferApart() {
    String bySource =
        SUBSETS_IN_A
            + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: catalog, namespace: a}
            spec:
              hosts: [catalog.a.svc.cluster.local]
              http:
              - name: from-catalog
                match:
                - sourceLabels: {app: catalog}
                route:
                - destination: {host: catalog.a.svc.cluster.local, subset: v2}
              - name: default
                route:
                - destination: {host: catalog.a.svc.cluster.local, subset: v1}
            """;
    OutboundCache cache = new OutboundCache();
    TranslationInput catalog = input(sidecar("catalog-v1-0", "a", "catalog", 15001), bySource);
    TranslationInput ratings = input(sidecar("ratings-v1-0", "a", "ratings", 16001), bySource);
    TranslationInput ratings2 = input(sidecar("ratings-v1-1", "a", "ratings", 17001), bySource);

    Snapshot fromCatalog = XdsTranslator.translate(catalog, cache);
    Snapshot fromRatings = XdsTranslator.translate(ratings, cache);
    Snapshot fromRatings2 = XdsTranslator.translate(ratings2, cache);

    assertThat(cache.builds()).isEqualTo(2);
    assertThat(fromCatalog.routes().resources().get(XdsNames.outboundHttpRoute(80)).toString())
        .contains("from-catalog");
    assertThat(fromRatings.routes().resources().get(XdsNames.outboundHttpRoute(80)).toString())
        .doesNotContain("from-catalog");
    assertThat(fromRatings2.routes().resources().get(XdsNames.outboundHttpRoute(80)))
        .isSameAs(fromRatings.routes().resources().get(XdsNames.outboundHttpRoute(80)));
    assertSameTranslation(fromCatalog, catalog);
    assertSameTranslation(fromRatings, ratings);
  }

  /**
   * The snapshot's clusters, endpoints and routes are, byte for byte and in order, what the
   * builders give when run on the proxy's own input (not the shared key), and its versions are
   * those of that content.
   */
  private static void assertSameTranslation(Snapshot actual, TranslationInput input) {
    assertSameResources(actual, XdsNames.TYPE_CLUSTER, new ClusterBuilder(input).build());
    assertSameResources(actual, XdsNames.TYPE_ENDPOINT, new EndpointBuilder(input).build());
    assertSameResources(actual, XdsNames.TYPE_ROUTE, new RouteConfigBuilder(input).build());
  }

  private static void assertSameResources(
      Snapshot actual, String type, List<? extends Message> expected) {
    assertThat(actual.version(type)).as(type).isEqualTo(XdsTranslator.contentVersion(expected));
    List<com.google.protobuf.ByteString> actualBytes =
        actual.resources(type).values().stream()
            .map(r -> ((Message) r.resource()).toByteString())
            .toList();
    assertThat(actualBytes)
        .as(type)
        .containsExactlyElementsOf(expected.stream().map(Message::toByteString).toList());
  }
}
