package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.TextFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.lb.SlowStart;
import dev.meshproof.runtime.proxy.ProxyConfig;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * {@code loadBalancer.warmup} and the deprecated {@code warmupDurationSecs} as istiod translates
 * them ({@code applyRoundRobinLoadBalancer}, {@code applyLeastRequestLoadBalancer}, {@code
 * setWarmup}, {@code setSlowStartConfig} in cluster_traffic_policy.go), and as our sidecar decodes
 * the result.
 */
class WarmupTranslationTest {
  private static final ProxyNode CLIENT =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
          new InetSocketAddress("127.0.0.1", 15001),
          Optional.empty());

  private static final List<ServiceInstance> INSTANCES =
      List.of(
          new ServiceInstance(
              "catalog-v1-0",
              "catalog",
              "default",
              Map.of("version", "v1"),
              80,
              new InetSocketAddress("127.0.0.1", 20001)));

  /** The clusters of a rule: the whole service, then subsets rr, random, plain, hash. */
  private static List<Cluster> clusters(String loadBalancer) {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
              host: catalog
              subsets:
              - {name: rr, labels: {version: v1}, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup: {duration: 30s}}}}
              - {name: random, labels: {version: v1}, trafficPolicy: {loadBalancer: {simple: RANDOM, warmup: {duration: 30s}}}}
              - {name: plain, labels: {version: v1}}
              - {name: hash, labels: {version: v1}, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: u}, warmup: {duration: 30s}}}}
              trafficPolicy:
                loadBalancer:
            """
                + loadBalancer.indent(6),
            "dr.yaml",
            "default"));
    return new ClusterBuilder(
            TranslationInput.builder(CLIENT, IstioVersionProfile.current())
                .virtualServices(config.resources(IstioKinds.VIRTUAL_SERVICE))
                .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
                .instances(INSTANCES)
                .build())
        .build();
  }

  private static String text(com.google.protobuf.MessageOrBuilder message) {
    return TextFormat.printer().shortDebugString(message);
  }

  @Test
  void warmupBecomesTheSlowStartConfigOfRoundRobinAndLeastRequestOnly() {
    List<Cluster> clusters =
        clusters(
            "{simple: LEAST_REQUEST, warmup: {duration: 60s, minimumPercent: 5, aggression: 2}}");
    Cluster service = clusters.get(0);
    assertThat(service.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(text(service.getLeastRequestLbConfig()))
        .isEqualTo(
            "slow_start_config { slow_start_window { seconds: 60 } aggression { default_value: 2.0"
                + " runtime_key: \"(\" } min_weight_percent { value: 5.0 } }");
    // A subset's loadBalancer replaces the rule's; istiod fills warmup's defaults (1.0, 10%).
    assertThat(clusters.get(1).getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(text(clusters.get(1).getRoundRobinLbConfig()))
        .isEqualTo(
            "slow_start_config { slow_start_window { seconds: 30 } aggression { default_value: 1.0"
                + " runtime_key: \"(\" } min_weight_percent { value: 10.0 } }");
    // RANDOM: istiod sets no lb config.
    assertThat(clusters.get(2).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(clusters.get(2).getLbConfigCase()).isEqualTo(Cluster.LbConfigCase.LBCONFIG_NOT_SET);
    // A subset without a loadBalancer keeps the rule's.
    assertThat(clusters.get(3).getLeastRequestLbConfig())
        .isEqualTo(service.getLeastRequestLbConfig());
    // Consistent hash: the ring-hash config replaces it.
    assertThat(clusters.get(4).getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(clusters.get(4).hasRingHashLbConfig()).isTrue();
  }

  @Test
  void deprecatedWarmupDurationSecsIsTheWindowAloneOnTheDefaultLoadBalancer() {
    Cluster service = clusters("{warmupDurationSecs: 45s}").get(0);
    // No simple: istiod's applySimpleDefaultLoadBalancer, LEAST_REQUEST.
    assertThat(service.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(text(service.getLeastRequestLbConfig()))
        .isEqualTo("slow_start_config { slow_start_window { seconds: 45 } }");
  }

  @Test
  void ourSidecarDecodesTheSlowStartAsTranslated() {
    List<Cluster> clusters =
        clusters(
            "{simple: ROUND_ROBIN, warmup: {duration: 2m, minimumPercent: 0, aggression: 0.5}}");
    ProxyConfig.ClusterConfig decoded =
        dev.meshproof.runtime.proxy.ClusterDecoderAccess.decode(clusters.get(0));
    assertThat(decoded.slowStart())
        .contains(
            new SlowStart(Duration.ofMinutes(2), OptionalDouble.of(0.5), OptionalDouble.of(0)));
    assertThat(
            dev.meshproof.runtime.proxy.ClusterDecoderAccess.decode(
                    clusters("{warmupDurationSecs: 45s}").get(0))
                .slowStart())
        .contains(SlowStart.window(Duration.ofSeconds(45)));
    assertThat(dev.meshproof.runtime.proxy.ClusterDecoderAccess.decode(clusters.get(2)).slowStart())
        .isEmpty();
    Cluster withChoiceCount =
        clusters("{simple: LEAST_REQUEST, warmup: {duration: 1s}}").get(0).toBuilder()
            .setLeastRequestLbConfig(
                clusters("{simple: LEAST_REQUEST, warmup: {duration: 1s}}")
                    .get(0)
                    .getLeastRequestLbConfig()
                    .toBuilder()
                    .setChoiceCount(com.google.protobuf.UInt32Value.of(3)))
            .build();
    assertThatThrownBy(
            () -> dev.meshproof.runtime.proxy.ClusterDecoderAccess.decode(withChoiceCount))
        .hasMessageContaining("least_request_lb_config");
  }

  @Test
  void badWarmupsAreReportedAsIstiosWebhookDoes() {
    assertThatThrownBy(
            () ->
                clusters(
                    """
                    warmup: {minimumPercent: 150, aggression: -0.1}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "spec.trafficPolicy.loadBalancer.warmup.duration: duration is required")
        .hasMessageContaining(
            "spec.trafficPolicy.loadBalancer.warmup.minimumPercent: 150.0 is out of range"
                + " (expected: a number from 0 to 100")
        .hasMessageContaining(
            "spec.trafficPolicy.loadBalancer.warmup.aggression: -0.1 is out of range (expected: a"
                + " number greater than 0");
    assertThatThrownBy(() -> clusters("{warmup: {duration: 1s, aggression: \"fast\"}}"))
        .hasMessageContaining("warmup.aggression: \"fast\" is not a number");
    assertThatThrownBy(() -> clusters("{warmupDurationSecs: 10s, warmup: {duration: 1s}}"))
        .hasMessageContaining(
            "spec.trafficPolicy.loadBalancer.warmupDurationSecs: set beside warmup");
    assertThatThrownBy(() -> clusters("{warmup: {duration: 1s, ramp: 2}}"))
        .hasMessageContaining("warmup.ramp");
  }
}
