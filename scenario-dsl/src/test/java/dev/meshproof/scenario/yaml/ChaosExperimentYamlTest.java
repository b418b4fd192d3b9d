package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.ChaosPlan;
import dev.meshproof.scenario.chaos.InstanceSelector;
import dev.meshproof.scenario.chaos.Rollback;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The file form of chaos experiments: {@code steadyState} and {@code rollbacks}. */
class ChaosExperimentYamlTest {
  private static final String ISTIO =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: catalog
      spec:
        hosts: [catalog]
        http:
        - route:
          - destination:
              host: catalog
      """;

  private static final String EXPERIMENT =
      """
      name: catalog survives v2 errors
      services:
        - name: catalog
          versions: {v1: 1, v2: 1}
      clients: [client]
      traffic:
        - from: client
          url: http://catalog/
          requests: 50
      chaos:
        - at: 0s
          service: {name: catalog, version: v2, errors: {fraction: 0.3, statuses: "503"}}
      steadyState:
        probe:
          name: probe
          from: client
          url: http://catalog/
          requests: 20
        expect:
          - successRate: {atLeast: 0.99, alpha: 0.001}
      rollbacks:
        - restoreService: {name: catalog, version: v2}
        - istio: {file: restore.yaml}
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse(
        "s.yaml", text, f -> f.equals("restore.yaml") ? Optional.of(ISTIO) : Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void readsTheHypothesisAndTheRollbacksIntoTheChaosPlan() {
    ChaosPlan plan = parse(EXPERIMENT).scenario().chaos();

    assertThat(plan.isExperiment()).isTrue();
    assertThat(plan.faults()).hasSize(1);
    assertThat(plan.steadyState().orElseThrow().probe().name()).isEqualTo("probe");
    assertThat(plan.steadyState().orElseThrow().probe(true).name()).isEqualTo("probe-before");
    assertThat(plan.steadyState().orElseThrow().probe().requests()).isEqualTo(20);
    assertThat(plan.steadyState().orElseThrow().expectations()).hasSize(1);
    assertThat(plan.rollbacks())
        .containsExactly(
            new Rollback.RestoreService(
                new InstanceSelector("catalog", Optional.of("v2"), Optional.empty())),
            new Rollback.ApplyIstio("restore.yaml", ISTIO));
  }

  @Test
  void writesAnExperimentBackAsItWasRead() {
    Scenario scenario = parse(EXPERIMENT).scenario();

    String yaml = ScenarioYaml.write(scenario, Map.of(), false);
    Scenario back = ScenarioYaml.parse("back.yaml", yaml, f -> Optional.empty()).scenario();

    assertThat(back.chaos().rollbacks()).isEqualTo(scenario.chaos().rollbacks());
    assertThat(back.chaos().steadyState().orElseThrow().probe())
        .usingRecursiveComparison()
        .isEqualTo(scenario.chaos().steadyState().orElseThrow().probe());
    assertThat(ScenarioYaml.write(back, Map.of(), false)).isEqualTo(yaml);
  }

  @Test
  void aRollbackOfAnUndeclaredServiceIsAProblemAtItsLine() {
    String text =
        EXPERIMENT.replace("restoreService: {name: catalog", "restoreService: {name: katalog");

    assertThat(problems(text))
        .contains("s.yaml:22:", "chaos.service: katalog, did you mean \"catalog\"?");
  }

  @Test
  void aRollbackNeedsExactlyOneAction() {
    String text = EXPERIMENT.replace("  - istio: {file: restore.yaml}", "  - {}");

    assertThat(problems(text)).contains("rollbacks[1]", "restoreService", "istio");
  }

  @Test
  void aProbeFromAnUndeclaredClientIsAProblem() {
    String text = EXPERIMENT.replace("    from: client\n    url", "    from: nobody\n    url");

    assertThat(problems(text))
        .contains("steadyState.probe.from: nobody (expected one of the declared clients");
  }

  @Test
  void aHypothesisWithoutExpectationsIsAProblem() {
    String text =
        EXPERIMENT.replace(
            "  expect:\n    - successRate: {atLeast: 0.99, alpha: 0.001}\n", "  expect: []\n");

    assertThat(problems(text)).contains("steadyState", "at least one expectation");
  }

  @Test
  void anUnknownKeyInTheHypothesisSuggestsTheNearestOne() {
    String text = EXPERIMENT.replace("  probe:\n", "  prob:\n");

    assertThat(problems(text)).contains("prob", "probe");
  }

  @Test
  void readsAndWritesAnInstanceKill() {
    String text =
        EXPERIMENT.replace(
            "service: {name: catalog, version: v2, errors: {fraction: 0.3, statuses: \"503\"}}",
            "service: {name: catalog, instance: catalog-v2-0, kill: true}");

    Scenario scenario = parse(text).scenario();

    assertThat(scenario.chaos().faults().get(0).fault())
        .isEqualTo(
            new dev.meshproof.scenario.chaos.FaultSpec.KillInstances(
                new InstanceSelector("catalog", Optional.empty(), Optional.of("catalog-v2-0"))));
    String yaml = ScenarioYaml.write(scenario, Map.of(), false);
    assertThat(yaml).contains("kill: true");
    assertThat(ScenarioYaml.parse("back.yaml", yaml, f -> Optional.empty()).scenario().chaos())
        .extracting(p -> p.faults().get(0).fault())
        .isEqualTo(scenario.chaos().faults().get(0).fault());
  }

  @Test
  void aKillOfAnUndeclaredInstanceIsAProblem() {
    String text =
        EXPERIMENT.replace(
            "service: {name: catalog, version: v2, errors: {fraction: 0.3, statuses: \"503\"}}",
            "service: {name: catalog, instance: catalog-v9-0, kill: true}");

    assertThat(problems(text)).contains("chaos.instance: catalog-v9-0 (expected one of");
  }

  @Test
  void aJavaRollbackHasNoFileForm() {
    Scenario scenario =
        Scenario.named("java")
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/"))
            .chaos(c -> c.rollback(new Rollback.Action("custom", h -> {})))
            .build();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ScenarioYaml.write(scenario, Map.of(), false))
        .hasMessageContaining("custom is a Java action and has no scenario-file form");
  }
}
