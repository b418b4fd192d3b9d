package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TrafficPolicyParserTest {

  private static DestinationRule parse(String spec) {
    List<IstioResource> resources =
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: catalog}
            spec:
            """
                + spec.indent(2),
            "dr.yaml",
            "default");
    return (DestinationRule) resources.get(0);
  }

  @Test
  void connectionPoolAndOutlierDetectionAreReadOnTheRuleAndItsSubsets() {
    DestinationRule rule =
        parse(
            """
            host: catalog
            trafficPolicy:
              connectionPool:
                tcp: {maxConnections: 1}
                http: {http1MaxPendingRequests: 1, http2MaxRequests: 10, maxRetries: 2}
              outlierDetection:
                consecutive5xxErrors: 1
                consecutiveGatewayErrors: 0
                interval: 100ms
                baseEjectionTime: 1m30s
                maxEjectionPercent: 100
                minHealthPercent: 50
                splitExternalLocalOriginErrors: true
                consecutiveLocalOriginFailures: 2
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 7}
            """);

    assertThat(rule.connectionPool())
        .contains(
            new ConnectionPoolSettings(
                OptionalInt.of(1),
                Optional.empty(),
                OptionalInt.of(1),
                OptionalInt.of(10),
                OptionalInt.of(2)));
    assertThat(rule.outlierDetection())
        .contains(
            new OutlierDetectionSettings(
                true,
                OptionalInt.of(2),
                OptionalInt.of(0),
                OptionalInt.of(1),
                Optional.of(Duration.ofMillis(100)),
                Optional.of(Duration.ofSeconds(90)),
                OptionalInt.of(100),
                OptionalInt.of(50)));
    DestinationRule.Subset v1 = rule.subset("v1").orElseThrow();
    assertThat(v1.outlierDetection().orElseThrow().consecutive5xxErrors()).hasValue(7);
    assertThat(v1.connectionPool()).isEmpty();
  }

  @Test
  void badValuesAreReportedWithTheirPlaceAndWhatIsAllowed() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    host: catalog
                    trafficPolicy:
                      connectionPool:
                        http: {http1MaxPendingRequests: -1}
                      outlierDetection:
                        interval: 10 seconds
                        baseEjectionTime: 0.5ms
                        maxEjectionPercent: 150
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "dr.yaml:8:39: spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests: -1 is"
                + " out of range (expected: an integer from 0 to 2147483647)")
        .hasMessageContaining(
            "dr.yaml:10:17: spec.trafficPolicy.outlierDetection.interval: \"10 seconds\" is not a"
                + " duration of at least 1ms such as 100ms or 30s")
        .hasMessageContaining(
            "dr.yaml:11:25: spec.trafficPolicy.outlierDetection.baseEjectionTime: \"0.5ms\" is"
                + " shorter than 1ms")
        .hasMessageContaining(
            "dr.yaml:12:27: spec.trafficPolicy.outlierDetection.maxEjectionPercent: 150 is out of"
                + " range (expected: an integer from 0 to 100)");
  }

  @Test
  void fieldsMeshproofDoesNotImplementAreRejectedNotIgnored() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    host: catalog
                    trafficPolicy:
                      connectionPool:
                        tcp: {tcpKeepalive: {time: 1s}}
                        http: {h2UpgradePolicy: UPGRADE}
                    """))
        .hasMessageContaining(
            "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive: valid Istio, but not supported"
                + " by Meshproof yet")
        .hasMessageContaining("spec.trafficPolicy.connectionPool.http.h2UpgradePolicy");
  }

  @Test
  void connectTimeoutIdleTimeoutAndPerConnectionLimitsAreRead() {
    DestinationRule rule =
        parse(
            """
            host: catalog
            trafficPolicy:
              connectionPool:
                tcp: {connectTimeout: 250ms, idleTimeout: 1h, maxConnectionDuration: 30s}
                http: {maxRequestsPerConnection: 2, idleTimeout: 5s}
            """);
    ConnectionPoolSettings pool = rule.connectionPool().orElseThrow();
    assertThat(pool.connectTimeout()).contains(Duration.ofMillis(250));
    assertThat(pool.maxRequestsPerConnection()).hasValue(2);
    // istiod's applyConnectionPool: http.idleTimeout wins over tcp.idleTimeout.
    assertThat(pool.idleTimeout()).contains(Duration.ofSeconds(5));
    assertThat(pool.maxConnectionDuration()).contains(Duration.ofSeconds(30));
    assertThat(
            parse(
                    """
                    host: catalog
                    trafficPolicy:
                      connectionPool:
                        tcp: {idleTimeout: 1h}
                    """)
                .connectionPool()
                .orElseThrow()
                .idleTimeout())
        .contains(Duration.ofHours(1));
  }

  @Test
  void portLevelSettingsReplaceTheRulesPolicyForTheirPortAsIstiodMergesThem() {
    DestinationRule rule =
        parse(
            """
            host: catalog
            trafficPolicy:
              loadBalancer: {simple: RANDOM}
              connectionPool:
                http: {maxRetries: 7}
              portLevelSettings:
              - port: {number: 80}
                connectionPool:
                  http: {maxRequestsPerConnection: 1}
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}
            - name: v2
              labels: {version: v2}
              trafficPolicy:
                portLevelSettings:
                - port: {number: 80}
                  outlierDetection: {consecutive5xxErrors: 3}
            """);
    DestinationRule.PortTrafficPolicy port80 = rule.policyFor(Optional.empty(), 80);
    // The port's entry replaces the rule's blocks wholesale: its omitted load balancer is the
    // default, not the rule's RANDOM.
    assertThat(port80.loadBalancer()).isEmpty();
    assertThat(port80.connectionPool().orElseThrow().maxRequestsPerConnection()).hasValue(1);
    assertThat(port80.connectionPool().orElseThrow().maxRetries()).isEmpty();
    DestinationRule.PortTrafficPolicy port9080 = rule.policyFor(Optional.empty(), 9080);
    assertThat(port9080.loadBalancer()).contains(dev.meshproof.runtime.policy.lb.LbPolicy.RANDOM);
    assertThat(port9080.connectionPool().orElseThrow().maxRetries()).hasValue(7);
    // A subset block overrides the port-level policy block by block.
    DestinationRule.PortTrafficPolicy v1 = rule.policyFor(rule.subset("v1"), 80);
    assertThat(v1.loadBalancer()).contains(dev.meshproof.runtime.policy.lb.LbPolicy.ROUND_ROBIN);
    assertThat(v1.connectionPool().orElseThrow().maxRequestsPerConnection()).hasValue(1);
    // A subset's own port-level entry replaces everything for that port.
    DestinationRule.PortTrafficPolicy v2 = rule.policyFor(rule.subset("v2"), 80);
    assertThat(v2.connectionPool()).isEmpty();
    assertThat(v2.outlierDetection().orElseThrow().consecutive5xxErrors()).hasValue(3);
  }

  @Test
  void aPortLevelEntryWithoutAPortOrAnyPolicyIsRejectedAsIstiosWebhookDoes() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    host: catalog
                    trafficPolicy:
                      portLevelSettings:
                      - connectionPool: {tcp: {maxConnections: 1}}
                      - port: {number: 80}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "spec.trafficPolicy.portLevelSettings[0]: no port (expected: port: {number:"
                + " <1-65535>})")
        .hasMessageContaining(
            "spec.trafficPolicy.portLevelSettings[1]: a port traffic policy without any policy");
  }

  @Test
  void theDeprecatedConsecutiveErrorsIsRefusedBecauseIstiodIgnoresIt() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    host: catalog
                    trafficPolicy:
                      outlierDetection: {consecutiveErrors: 5}
                    """))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "dr.yaml:7:43: spec.trafficPolicy.outlierDetection.consecutiveErrors: deprecated, and"
                + " ignored by istiod")
        .hasMessageContaining("expected: consecutive5xxErrors or consecutiveGatewayErrors");
  }
}
