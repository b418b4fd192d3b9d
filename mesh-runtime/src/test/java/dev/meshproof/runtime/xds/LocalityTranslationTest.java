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
                + trafficPolicy.indent(4),
            "dr.yaml",
            "default"));
    return new TranslationInput(
        CLIENT,
        config.resources(IstioKinds.VIRTUAL_SERVICE),
        config.resources(IstioKinds.DESTINATION_RULE),
        INSTANCES,
        IstioVersionProfile.current());
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
    assertThatThrownBy(
            () ->
                input(
                    """
                    loadBalancer:
                      localityLbSetting:
                        failoverPriority: [topology.istio.io/network]
                    """))
        .hasMessageContaining("failoverPriority");
  }
}
