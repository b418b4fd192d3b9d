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
                        tcp: {connectTimeout: 1s}
                        http: {maxRequestsPerConnection: 1}
                    """))
        .hasMessageContaining(
            "spec.trafficPolicy.connectionPool.tcp.connectTimeout: valid Istio, but not supported"
                + " by Meshproof yet")
        .hasMessageContaining("spec.trafficPolicy.connectionPool.http.maxRequestsPerConnection");
  }
}
