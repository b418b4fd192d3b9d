package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A translation that reuses the proxy's previous snapshot sends exactly what a translation from
 * scratch sends (every resource, byte for byte and in order, and every version), while the
 * resources that did not change keep their instances and wrappers, so a route change does not wrap
 * or hash the proxy's listeners again.
 */
class TranslatedSnapshotTest {
  private static final List<ServiceInstance> INSTANCES =
      List.of(
          instance("catalog-v1-0", "v1", 20001, "127.0.0.1"),
          instance("catalog-v2-0", "v2", 20002, "127.0.0.1"));

  private static ServiceInstance instance(
      String workload, String version, int port, String address) {
    return new ServiceInstance(
        workload,
        "catalog",
        "a",
        Map.of("app", "catalog", "version", version),
        80,
        new InetSocketAddress(address, port));
  }

  private static ProxyNode sidecar(int base) {
    return new ProxyNode(
        ProxyIdentity.sidecar("client-" + base, "a", Map.of("app", "client"), IstioVersion.CURRENT),
        new InetSocketAddress("127.0.0.1", base),
        Optional.of(
            new ProxyNode.Inbound(
                80,
                new InetSocketAddress("127.0.0.1", base + 1),
                new InetSocketAddress("127.0.0.1", base + 2))));
  }

  private static String weights(int v1) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: catalog, namespace: a}
        spec:
          host: catalog.a.svc.cluster.local
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog, namespace: a}
        spec:
          hosts: [catalog.a.svc.cluster.local]
          http:
          - route:
            - {destination: {host: catalog.a.svc.cluster.local, subset: v1}, weight: %d}
            - {destination: {host: catalog.a.svc.cluster.local, subset: v2}, weight: %d}
        """
        .formatted(v1, 100 - v1);
  }

  private static TranslationInput input(ProxyNode proxy, String yaml) {
    return input(proxy, yaml, INSTANCES);
  }

  /**
   * {@code proxy}'s input for the resources of {@code yaml}, created in the order written, as the
   * control plane builds it.
   */
  private static TranslationInput input(
      ProxyNode proxy, String yaml, List<ServiceInstance> instances) {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(yaml, "config.yaml", "a"));
    return TranslationInput.builder(proxy, IstioVersionProfile.current())
        .virtualServices(
            TranslationInput.visibleVirtualServices(
                config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE), proxy))
        .destinationRules(
            TranslationInput.visibleDestinationRules(
                config.resources(IstioKinds.DESTINATION_RULE), proxy.namespace()))
        .instances(instances)
        .build();
  }

  @Test
  void aRouteChangeKeepsTheListenersAndSendsWhatAFreshTranslationSends() {
    ProxyNode proxy = sidecar(15001);
    OutboundCache cache = new OutboundCache();
    TranslatedSnapshot before = XdsTranslator.translate(input(proxy, weights(90)), cache, null);

    TranslationInput changed = input(proxy, weights(10));
    TranslatedSnapshot after = XdsTranslator.translate(changed, cache, before);

    assertSameContent(after, XdsTranslator.translate(changed, new OutboundCache(), null));
    assertThat(after.version(XdsNames.TYPE_ROUTE))
        .isNotEqualTo(before.version(XdsNames.TYPE_ROUTE));
    // The proxy's listeners did not change: the same instances, wrappers and version.
    assertSameInstances(
        after.listeners().versionedResources().values(),
        before.listeners().versionedResources().values());
    assertThat(after.version(XdsNames.TYPE_LISTENER))
        .isEqualTo(before.version(XdsNames.TYPE_LISTENER));
    assertThat(after.version(XdsNames.TYPE_CLUSTER))
        .isEqualTo(before.version(XdsNames.TYPE_CLUSTER));
    // The outbound entry was built again (the VirtualService is in its key), but its clusters are
    // the canonical instances and wrappers: the proxy's cluster map is the one it had.
    assertThat(after.clusters()).isSameAs(before.clusters());
  }

  /**
   * A route change undone gives back the very route configuration built before
   * (CanonicalResources): the ADS server's serializer and the sidecars recognise it by identity.
   */
  @Test
  void aRouteChangeUndoneGivesTheSameRouteInstances() {
    ProxyNode proxy = sidecar(15001);
    TranslatedSnapshot first =
        XdsTranslator.translate(input(proxy, weights(90)), new OutboundCache(), null);
    TranslatedSnapshot second =
        XdsTranslator.translate(input(proxy, weights(10)), new OutboundCache(), first);
    TranslatedSnapshot third =
        XdsTranslator.translate(input(proxy, weights(90)), new OutboundCache(), second);

    assertSameInstances(third.routes().resources().values(), first.routes().resources().values());
    assertThat(third.version(XdsNames.TYPE_ROUTE)).isEqualTo(first.version(XdsNames.TYPE_ROUTE));
  }

  /**
   * A previous snapshot whose listeners differ (another proxy's, listening elsewhere) lends none of
   * them: the result is still exactly the fresh translation, versions included.
   */
  @Test
  void changedListenersAreTheirOwnAndVersionedFromTheirContent() {
    OutboundCache cache = new OutboundCache();
    TranslatedSnapshot other =
        XdsTranslator.translate(input(sidecar(16001), weights(90)), cache, null);
    TranslationInput mine = input(sidecar(15001), weights(90));

    TranslatedSnapshot reused = XdsTranslator.translate(mine, cache, other);

    assertSameContent(reused, XdsTranslator.translate(mine, new OutboundCache(), null));
    assertThat(reused.version(XdsNames.TYPE_LISTENER))
        .isNotEqualTo(other.version(XdsNames.TYPE_LISTENER));
  }

  /**
   * A change of HTTP routes only does not build the proxy's own resources again: the listeners,
   * inbound clusters and secrets are the very ones of the previous translation (ProxyOwnResources).
   */
  @Test
  void aRouteChangeDoesNotBuildTheProxysOwnResourcesAgain() {
    ProxyNode proxy = sidecar(15001);
    OutboundCache cache = new OutboundCache();
    TranslatedSnapshot before = XdsTranslator.translate(input(proxy, weights(90)), cache, null);

    TranslatedSnapshot after = XdsTranslator.translate(input(proxy, weights(10)), cache, before);

    assertThat(after.own()).isSameAs(before.own());
  }

  private static final String TCP_RULE =
      """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: db-tcp, namespace: a}
      spec:
        hosts: [db.a.svc.cluster.local]
        tcp:
        - route:
          - {destination: {host: db.a.svc.cluster.local, subset: v2}}
      """;

  /** An HTTP-only VirtualService for the TCP service's host, older than {@link #TCP_RULE}. */
  private static final String HTTP_ONLY_FOR_DB =
      """
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: db-http, namespace: a}
      spec:
        hosts: [db.a.svc.cluster.local]
        http:
        - route:
          - {destination: {host: db.a.svc.cluster.local, subset: v1}}
      """;

  private static final String DB_SUBSETS =
      """
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: db, namespace: a}
      spec:
        host: db.a.svc.cluster.local
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  /**
   * A chain of pushes, each translated with the previous one's snapshot, sends at every step what a
   * translation from scratch sends: route changes, a TCP rule added, changed and removed, and an
   * HTTP-only VirtualService that hides the TCP rule of the same host (the first VirtualService of
   * a host is the one a listener reads) added and removed. The own resources are kept exactly when
   * only HTTP routes changed.
   */
  @Test
  void everyStepOfAChainOfPushesSendsWhatAFreshTranslationSends() {
    ProxyNode proxy =
        sidecar(15001)
            .withTcpOutbound(
                Map.of(
                    ProxyNode.tcpKey("db.a.svc.cluster.local", 5432),
                    new InetSocketAddress("127.0.0.1", 15101)));
    List<ServiceInstance> instances = new java.util.ArrayList<>(INSTANCES);
    for (String version : List.of("v1", "v2")) {
      instances.add(
          new ServiceInstance(
              "db-" + version,
              "db",
              "a",
              Map.of("app", "db", "version", version),
              5432,
              new InetSocketAddress("127.0.0.1", version.equals("v1") ? 20011 : 20012),
              "db.a.svc.cluster.local",
              dev.meshproof.runtime.registry.ServiceProtocol.TCP));
    }
    List<String> steps =
        List.of(
            weights(90) + DB_SUBSETS,
            weights(10) + DB_SUBSETS,
            weights(10) + DB_SUBSETS + TCP_RULE,
            weights(50) + DB_SUBSETS + TCP_RULE,
            weights(50) + DB_SUBSETS + TCP_RULE.replace("subset: v2", "subset: v1"),
            weights(50) + DB_SUBSETS + HTTP_ONLY_FOR_DB + TCP_RULE,
            weights(50)
                + DB_SUBSETS
                + HTTP_ONLY_FOR_DB.replace("subset: v1", "subset: v2")
                + TCP_RULE,
            weights(50) + DB_SUBSETS + TCP_RULE,
            weights(50) + DB_SUBSETS);
    List<Boolean> ownKept = List.of(false, true, false, true, false, false, true, false, false);
    OutboundCache cache = new OutboundCache();
    TranslatedSnapshot previous = null;
    for (int i = 0; i < steps.size(); i++) {
      // A store per step: within a step, the resources are created in the order written, so the
      // HTTP-only rule written before the TCP one is the older, the one a listener reads.
      TranslationInput input = input(proxy, steps.get(i), instances);
      TranslatedSnapshot next = XdsTranslator.translate(input, cache, previous);
      assertSameContent(next, XdsTranslator.translate(input, new OutboundCache(), null));
      if (previous != null) {
        assertThat(next.own() == previous.own())
            .as("step %d keeps its own resources", i)
            .isEqualTo(ownKept.get(i));
      }
      previous = next;
    }
  }

  /**
   * The sidecars of one namespace share their keys' rule lists: built once per list a push hands
   * out, not once per proxy, so the keys cost no memory per proxy beyond their own record.
   */
  @Test
  void theKeysOfOneNamespaceShareTheirRuleLists() {
    ConfigStore config = new ConfigStore();
    config.apply(IstioYamlParser.parse(weights(90) + DB_SUBSETS, "config.yaml", "a"));
    List<dev.meshproof.runtime.config.DestinationRule> rules =
        TranslationInput.visibleDestinationRules(
            config.resources(IstioKinds.DESTINATION_RULE), "a");
    List<dev.meshproof.runtime.config.VirtualService> virtualServices =
        TranslationInput.visibleVirtualServices(
            config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE), sidecar(15001));
    java.util.function.IntFunction<TranslationInput> inputOf =
        port ->
            TranslationInput.builder(sidecar(port), IstioVersionProfile.current())
                .virtualServices(virtualServices)
                .destinationRules(rules)
                .instances(INSTANCES)
                .build();
    TranslationInput one = inputOf.apply(15001);
    TranslationInput other = inputOf.apply(16001);

    assertThat(ProxyOwnResources.keyOf(one).destinationRules())
        .isSameAs(ProxyOwnResources.keyOf(other).destinationRules());
    assertThat(ProxyOwnResources.keyOf(one).virtualServices())
        .isSameAs(ProxyOwnResources.keyOf(other).virtualServices());
  }

  private static void assertSameInstances(
      java.util.Collection<?> actual, java.util.Collection<?> expected) {
    List<?> now = List.copyOf(actual);
    List<?> then = List.copyOf(expected);
    assertThat(now).hasSameSizeAs(then).isNotEmpty();
    for (int i = 0; i < now.size(); i++) {
      assertThat(now.get(i)).isSameAs(then.get(i));
    }
  }

  /** Every type's version and resources, byte for byte and in order, are those of {@code fresh}. */
  private static void assertSameContent(Snapshot actual, Snapshot fresh) {
    for (String type : XdsNames.TYPES) {
      assertThat(actual.version(type)).as(type).isEqualTo(fresh.version(type));
      assertThat(bytes(actual, type)).as(type).containsExactlyElementsOf(bytes(fresh, type));
    }
  }

  private static List<com.google.protobuf.ByteString> bytes(Snapshot snapshot, String type) {
    return snapshot.resources(type).values().stream()
        .map(VersionedResource::resource)
        .map(r -> ((Message) r).toByteString())
        .toList();
  }
}
