package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.lb.Locality;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Locality load balancing as istiod translates it for one proxy: EDS groups per locality with
 * failover priorities only when the cluster has outlier detection ({@code endpoint_builder.go},
 * {@code applyLocalityFailover}), distribute weights ({@code applyLocalityWeights}), and the
 * cluster's {@code locality_weighted_lb_config} ({@code LocalityLBSettings.ApplyToCluster}).
 */
class LocalityTranslationTest {
  private static final ProxyNode CLIENT =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "client-0",
              "default",
              Map.of("app", "client", Locality.LABEL, "us-east.zone-a"),
              IstioVersion.CURRENT),
          new InetSocketAddress("127.0.0.1", 15001),
          Optional.empty());

  private static ServiceInstance instance(String workload, String locality, int port) {
    return new ServiceInstance(
        workload,
        "catalog",
        "default",
        Map.of("version", "v1", Locality.LABEL, locality),
        80,
        new InetSocketAddress("127.0.0.1", port));
  }

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          instance("catalog-v1-0", "us-east.zone-a", 20001),
          instance("catalog-v1-1", "us-east.zone-b", 20002),
          instance("catalog-v1-2", "us-west.zone-a", 20003));

  private static TranslationInput input(String trafficPolicy) {
    return input(trafficPolicy, INSTANCES, "");
  }

  private static TranslationInput input(
      String trafficPolicy, List<ServiceInstance> instances, String subsets) {
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
            """
                + trafficPolicy.indent(4)
                + subsets.indent(2),
            "dr.yaml",
            "default"));
    return TranslationInput.builder(CLIENT, IstioVersionProfile.current())
        .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(instances)
        .build();
  }

  private static ClusterLoadAssignment assignment(TranslationInput input) {
    return new EndpointBuilder(input).build().get(0);
  }

  @Test
  void outlierDetectionTurnsOnTheMeshDefaultFailover() {
    TranslationInput input =
        input("outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}");
    ClusterLoadAssignment eds = assignment(input);
    assertThat(eds.getEndpointsList())
        .extracting(l -> l.getLocality().getRegion() + "/" + l.getLocality().getZone())
        .containsExactly("us-east/zone-a", "us-east/zone-b", "us-west/zone-a");
    assertThat(eds.getEndpointsList())
        .extracting(LocalityLbEndpoints::getPriority)
        .containsExactly(0, 1, 2);
    // Failover regions are not configured: no locality-weighted balancing on the cluster.
    assertThat(
            new ClusterBuilder(input)
                .build()
                .get(0)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isFalse();
  }

  @Test
  void withoutOutlierDetectionEveryLocalityIsPriorityZero() {
    TranslationInput input = input("loadBalancer: {simple: ROUND_ROBIN}");
    assertThat(assignment(input).getEndpointsList())
        .extracting(LocalityLbEndpoints::getPriority)
        .containsOnly(0);
    TranslationInput failover =
        input(
            """
            loadBalancer:
              localityLbSetting:
                failover: [{from: us-east, to: us-west}]
            """);
    assertThat(assignment(failover).getEndpointsList())
        .extracting(LocalityLbEndpoints::getPriority)
        .containsOnly(0);
    assertThat(
            new ClusterBuilder(failover)
                .build()
                .get(0)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isFalse();
  }

  @Test
  void distributeSetsLocalityWeightsAndTheLocalityWeightedConfig() {
    TranslationInput input =
        input(
            """
            loadBalancer:
              localityLbSetting:
                distribute:
                - from: us-east/zone-a/*
                  to: {"us-east/*": 75, "us-west/zone-a/*": 25}
            """);
    ClusterLoadAssignment eds = assignment(input);
    assertThat(eds.getEndpointsList())
        .extracting(l -> l.getLoadBalancingWeight().getValue())
        .containsExactly(38, 38, 25);
    assertThat(eds.getEndpointsList()).allMatch(l -> l.getLbEndpointsCount() == 1);
    Cluster cluster = new ClusterBuilder(input).build().get(0);
    assertThat(cluster.getCommonLbConfig().hasLocalityWeightedLbConfig()).isTrue();
  }

  @Test
  void badSettingsAreRefusedWithTheirPlace() {
    assertThatThrownBy(
            () ->
                input(
                    """
                    loadBalancer:
                      localityLbSetting:
                        distribute: [{from: "*", to: {"us-east/*": 60}}]
                    """))
        .hasMessageContaining("dr.yaml:")
        .hasMessageContaining("the weights sum to 60 (expected: 100");
    // validateLocalityLbSetting: failover with a topology label in failoverPriority.
    assertThatThrownBy(
            () ->
                input(
                    """
                    loadBalancer:
                      localityLbSetting:
                        failover: [{from: us-east, to: us-west}]
                        failoverPriority: [topology.istio.io/network, topology.kubernetes.io/zone]
                    """))
        .hasMessageContaining("dr.yaml:")
        .hasMessageContaining(
            "can not simultaneously set 'failover' and topology label"
                + " 'topology.kubernetes.io/zone' in 'failoverPriority'");
  }

  private static ServiceInstance instance(String workload, String locality, String version) {
    return new ServiceInstance(
        workload,
        "catalog",
        "default",
        Map.of("version", version, Locality.LABEL, locality),
        80,
        new InetSocketAddress("127.0.0.1", 20000 + Math.abs(workload.hashCode() % 1000)));
  }

  /** zone-a holds a v1 and a v2 replica, zone-b and us-west one v2 each. */
  private static final List<ServiceInstance> VERSIONED =
      List.of(
          instance("catalog-a1", "us-east.zone-a", "v1"),
          instance("catalog-a2", "us-east.zone-a", "v2"),
          instance("catalog-b2", "us-east.zone-b", "v2"),
          instance("catalog-w2", "us-west.zone-a", "v2"));

  private static List<String> groups(ClusterLoadAssignment eds) {
    return eds.getEndpointsList().stream()
        .map(
            l ->
                l.getLocality().getZone()
                    + "/"
                    + l.getLocality().getRegion()
                    + " p"
                    + l.getPriority()
                    + " w"
                    + l.getLoadBalancingWeight().getValue()
                    + " n"
                    + l.getLbEndpointsCount())
        .toList();
  }

  @Test
  void failoverPrioritySplitsLocalitiesByTheLabelsTheEndpointsShareWithTheProxy() {
    // Region from the locality (istiod's AugmentLabels), then version v2 by the label=value form:
    // zone-a's v1 replica drops behind zone-b's v2 one; the other region comes last.
    TranslationInput input =
        input(
            """
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}
            loadBalancer:
              localityLbSetting:
                failoverPriority: [topology.kubernetes.io/region, version=v2]
            """,
            VERSIONED,
            "");
    assertThat(groups(assignment(input)))
        .containsExactly(
            "zone-a/us-east p0 w1 n1",
            "zone-a/us-east p1 w1 n1",
            "zone-b/us-east p0 w1 n1",
            "zone-a/us-west p2 w1 n1");
    assertThat(
            new ClusterBuilder(input)
                .build()
                .get(0)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isTrue();
    // Without outlier detection istiod applies no failover at all: one group per locality.
    TranslationInput noOutlier =
        input(
            """
            loadBalancer:
              localityLbSetting:
                failoverPriority: [topology.kubernetes.io/region, version=v2]
            """,
            VERSIONED,
            "");
    assertThat(groups(assignment(noOutlier)))
        .containsExactly(
            "zone-a/us-east p0 w0 n2", "zone-b/us-east p0 w0 n1", "zone-a/us-west p0 w0 n1");
  }

  @Test
  void failoverPriorityThenFailoverMultipliesByFive() {
    // version=v2 gives 1,0 | 0 | 0; then 5 * that + the locality's failover priority (zone-a 0,
    // zone-b 2, us-west 3 as failover.to): 0, 5, 2, 3, renumbered 0, 3, 1, 2.
    TranslationInput input =
        input(
            """
            outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}
            loadBalancer:
              localityLbSetting:
                failover: [{from: us-east, to: us-west}]
                failoverPriority: [version=v2]
            """,
            VERSIONED,
            "");
    assertThat(groups(assignment(input)))
        .containsExactly(
            "zone-a/us-east p0 w1 n1",
            "zone-a/us-east p3 w1 n1",
            "zone-b/us-east p1 w1 n1",
            "zone-a/us-west p2 w1 n1");
  }

  @Test
  void subsetAndPortLevelLocalitySettingsReplaceTheRulesLoadBalancer() {
    // The rule's distribute drops us-west; subset v2's own setting (failover only) replaces it,
    // and port 80's entry replaces the rule's whole policy: the mesh default, failover by locality.
    String rule =
        """
        outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}
        loadBalancer:
          localityLbSetting:
            distribute: [{from: "us-east/*", to: {"us-east/*": 100}}]
        """;
    String subsets =
        """
        subsets:
        - name: v2
          labels: {version: v2}
          trafficPolicy:
            loadBalancer:
              localityLbSetting:
                failoverPriority: [topology.kubernetes.io/zone]
        """;
    TranslationInput input = input(rule, VERSIONED, subsets);
    List<ClusterLoadAssignment> eds = new EndpointBuilder(input).build();
    ClusterLoadAssignment service =
        eds.stream()
            .filter(c -> c.getClusterName().endsWith("||catalog.default.svc.cluster.local"))
            .findFirst()
            .orElseThrow();
    assertThat(groups(service))
        .containsExactly(
            "zone-a/us-east p0 w50 n2", "zone-b/us-east p0 w50 n1", "zone-a/us-west p0 w0 n0");
    ClusterLoadAssignment v2 =
        eds.stream().filter(c -> c.getClusterName().contains("|v2|")).findFirst().orElseThrow();
    // The zone label alone: us-west's zone-a has the proxy's zone value, zone-b does not.
    assertThat(groups(v2))
        .containsExactly(
            "zone-a/us-east p0 w1 n1", "zone-b/us-east p1 w1 n1", "zone-a/us-west p0 w1 n1");
    TranslationInput portLevel =
        input(
            rule
                + """
                portLevelSettings:
                - port: {number: 80}
                  outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s}
                """,
            VERSIONED,
            "");
    assertThat(groups(assignment(portLevel)))
        .containsExactly(
            "zone-a/us-east p0 w0 n2", "zone-b/us-east p1 w0 n1", "zone-a/us-west p2 w0 n1");
  }
}
