package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@code ${app.<instance>.port}} in a scenario's Istio YAML: found with its line and column,
 * replaced by the instance's app port, read as a stand-in before the apps run, and an unknown
 * instance is an error naming the Istio file's line and column and the instances there are.
 */
class AppPortPlaceholderTest {
  private static final String SERVICE_ENTRY =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata:
        name: api
      spec:
        hosts: [api.example.com]
        ports:
        - {number: 80, name: http, protocol: HTTP}
        resolution: STATIC
        endpoints:
        - address: 127.0.0.1
          ports:
            http: ${app.%s.port}
      """;

  private static String scenarioText() {
    return """
        name: egress
        services:
          - name: api
        clients: [forum]
        istio:
          - file: se.yaml
        traffic:
          - from: forum
            url: http://api.example.com/
        """;
  }

  @Test
  void placeholdersAreFoundAndReplacedByTheAppsPort() {
    IstioSource source = new IstioSource("se.yaml", SERVICE_ENTRY.formatted("api-v1-0"));

    assertThat(source.appPorts())
        .singleElement()
        .isEqualTo(new IstioSource.AppPort("api-v1-0", 13, 13));
    assertThat(source.withAppPorts(i -> OptionalInt.of(40123)).yaml())
        .contains("http: 40123")
        .doesNotContain("${");
    assertThat(source.withStandInAppPorts().yaml()).contains("http: 1\n");
    assertThatThrownBy(() -> source.withAppPorts(i -> OptionalInt.empty()))
        .hasMessageContaining("se.yaml:13:13")
        .hasMessageContaining("no app instance api-v1-0 is deployed");
  }

  @Test
  void aScenarioFileNamingADeclaredInstanceIsReadWithTheStandIn() {
    Scenario scenario =
        ScenarioYaml.parse(
                "s.yaml", scenarioText(), f -> Optional.of(SERVICE_ENTRY.formatted("api-v1-0")))
            .scenario();

    assertThat(scenario.istio())
        .singleElement()
        .satisfies(s -> assertThat(s.appPorts()).hasSize(1));
  }

  @Test
  void anUnknownInstanceIsAnErrorWithTheIstioFilesPositionAndTheInstances() {
    assertThatThrownBy(
            () ->
                ScenarioYaml.parse(
                    "s.yaml", scenarioText(), f -> Optional.of(SERVICE_ENTRY.formatted("ap-v1-0"))))
        .isInstanceOf(InvalidScenarioException.class)
        .hasMessageContaining("se.yaml:13:13: ${app.ap-v1-0.port}")
        .hasMessageContaining("ap-v1-0 is not an instance of a declared service")
        .hasMessageContaining("[api-v1-0]");
  }
}
