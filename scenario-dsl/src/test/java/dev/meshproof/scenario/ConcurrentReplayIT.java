package dev.meshproof.scenario;

import static dev.meshproof.scenario.expect.Expectations.split;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.targets.MeshDeployment;
import dev.meshproof.scenario.targets.ScenarioOrchestrator;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's replay claim on the embedded target: one scenario, one seed, 16 requests in flight,
 * run twice, makes the same random decisions for every request (the weighted version pick, the
 * RANDOM instance pick and the fake service's 30% error draw), although concurrent requests reach
 * the shared proxies and services in a different order each run.
 */
class ConcurrentReplayIT {
  private static final String CANARY_RANDOM_LB =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        trafficPolicy:
          loadBalancer: {simple: RANDOM}
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

  private static Scenario scenario(long seed) {
    return Scenario.named("replay at concurrency 16")
        .service("catalog", s -> s.version("v1", 3).version("v2", 2))
        .client("client")
        .istio("catalog-random.yaml", CANARY_RANDOM_LB)
        .chaos(c -> c.at(Duration.ZERO, Chaos.service("catalog").errors(0.3, "503")))
        .traffic(t -> t.from("client").get("http://catalog/").requests(600).concurrency(16))
        .expect(split("catalog").byVersion(Map.of("v1", 0.9, "v2", 0.1)).atAlpha(0.001))
        .seed(seed)
        .build();
  }

  /** Per request id: the instance that served it and the status. */
  private static Map<String, String> decisions(long seed) {
    Map<String, String> out = new LinkedHashMap<>();
    for (RequestObservation r :
        ScenarioOrchestrator.run(scenario(seed), MeshDeployment.on(DataPlane::embedded))
            .observations()
            .requests()) {
      out.put(r.requestId(), r.instance().orElse("-") + " " + r.status());
    }
    return out;
  }

  @Test
  void twoRunsWithOneSeedAtConcurrency16MakeTheSameDecisionForEveryRequestAndAnotherSeedDoesNot() {
    Map<String, String> first = decisions(2024);
    Map<String, String> second = decisions(2024);

    assertThat(first).hasSize(600);
    Map<String, String> differing = new LinkedHashMap<>();
    first.forEach(
        (id, decision) -> {
          if (!decision.equals(second.get(id))) {
            differing.put(id, decision + " then " + second.get(id));
          }
        });
    assertThat(differing).as("requests whose decisions differ between the runs").isEmpty();
    // The decisions are not constant: versions, instances and both statuses all occur.
    Set<String> outcomes = Set.copyOf(first.values());
    assertThat(outcomes.stream().map(o -> o.split(" ")[0]).collect(Collectors.toSet()))
        .contains("catalog-v1-0", "catalog-v1-1", "catalog-v1-2", "catalog-v2-0", "catalog-v2-1");
    assertThat(outcomes.stream().map(o -> o.split(" ")[1]).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("200", "503");
    // The same request ids with another seed's decisions would be a test that cannot fail.
    assertThat(decisions(2025)).isNotEqualTo(first);
  }
}
