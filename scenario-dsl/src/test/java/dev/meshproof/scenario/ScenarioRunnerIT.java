package dev.meshproof.scenario;

import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioRunnerIT {
  private static final String CANARY =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination: {host: catalog, subset: v1}
            weight: 90
          - destination: {host: catalog, subset: v2}
            weight: 10
      """;

  private static Scenario.Builder canary(Map<String, Double> expected) {
    return Scenario.named("catalog canary")
        .service("catalog", s -> s.version("v1").version("v2"))
        .client("client")
        .istio("catalog-canary.yaml", CANARY)
        .traffic(t -> t.from("client").get("http://catalog/").requests(400).concurrency(4))
        .expect(split("catalog").byVersion(expected).atAlpha(0.001))
        .expect(successRate().atLeast(0.99))
        .seed(11);
  }

  @Test
  void wrongSplitExpectationFailsWithObservedCounts() {
    ScenarioResult result =
        ScenarioRunner.run(canary(Map.of("v1", 0.5, "v2", 0.5)).build(), Targets.embedded());

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.traffic().sent()).isEqualTo(400);
    assertThat(result.traffic().responses()).isEqualTo(400);
    assertThat(result.failureSummary())
        .contains("NOT consistent", "v1=", "v2=", "(expected 200.0)");
    assertThat(result.expectations().get(1).passed()).isTrue();
    assertThat(result.attachments()).containsKey("config_dump client-0");
  }

  @Test
  void invalidVirtualServiceFailsTheScenarioWithFileLineAndField() {
    Scenario scenario =
        Scenario.named("broken")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .istio(
                "broken-vs.yaml",
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: catalog}
                spec:
                  hosts: [catalog]
                  http:
                  - route:
                    - destination: {host: catalog}
                      weight: lots
                """)
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .build();

    ScenarioResult result = ScenarioRunner.run(scenario, Targets.embedded());

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.failure())
        .hasValueSatisfying(
            f ->
                assertThat(f)
                    .contains(
                        "broken-vs.yaml:9:15: spec.http[0].route[0].weight: \"lots\" is not a"
                            + " non-negative integer; weights are relative to their sum"));
    assertThat(result.traffic().sent()).isZero();
  }

  @Test
  void yamlTheLibraryRejectsFailsTheScenarioWithALocatedMessage() {
    Scenario scenario =
        Scenario.named("control character")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .istio(
                "nul.yaml",
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name:"
                    + " cat\u0000alog}\n")
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .build();

    ScenarioResult result = ScenarioRunner.run(scenario, Targets.embedded());

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.failure())
        .hasValueSatisfying(
            f ->
                assertThat(f)
                    .contains("nul.yaml:3:21: not valid YAML: special character U+0000")
                    .doesNotContain("Exception"));
    assertThat(result.traffic().sent()).isZero();
  }

  @Test
  void anIstioFileThatIsNotUtf8IsALocatedError(@org.junit.jupiter.api.io.TempDir Path dir)
      throws java.io.IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> Scenario.named("latin-1").istio(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(file + ":1:6: not UTF-8: byte 0xE9");
  }
}
