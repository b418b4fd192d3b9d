package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.targets.Deployer;
import dev.meshproof.scenario.targets.MeshDeployment;
import dev.meshproof.scenario.targets.ScenarioOrchestrator;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Each request's evidence, joined by its {@code x-request-id} from the client sidecar's access log,
 * reads the same on the embedded target and on real Envoy: route, upstream cluster and response
 * flags per request, and the upstream host being the serving instance's sidecar.
 */
class ProxyEvidenceIT {
  private static final String V1_AND_MISSING_V3 =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: catalog}
      spec:
        host: catalog
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v3, labels: {version: v3}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - match:
          - headers:
              end-user: {exact: jason}
          route:
          - destination: {host: catalog, subset: v3}
        - route:
          - destination: {host: catalog, subset: v1}
      """;

  private static final Scenario SCENARIO =
      Scenario.named("proxy evidence")
          .service("catalog", s -> s.version("v1"))
          .client("client")
          .istio("catalog.yaml", V1_AND_MISSING_V3)
          .traffic(t -> t.named("ok").from("client").get("http://catalog/").requests(5))
          .traffic(
              t ->
                  t.named("no-v3")
                      .from("client")
                      .get("http://catalog/")
                      .header("end-user", "jason")
                      .requests(5))
          // Outside the registry: ALLOW_ANY's catch-all, no host for a name (503 UH).
          .traffic(t -> t.named("unknown-host").from("client").get("http://nowhere/").requests(3))
          .seed(5)
          .build();

  /** Per request id: route, cluster and flags from the client sidecar's access log. */
  private static Map<String, String> evidence(Observations observations) {
    return observations.requests().stream()
        .collect(
            Collectors.toMap(
                RequestObservation::requestId,
                r -> {
                  ProxyEvidence p =
                      r.proxy().orElseThrow(() -> new AssertionError("no evidence: " + r));
                  return r.status()
                      + " "
                      + p.route()
                      + " "
                      + p.upstreamCluster()
                      + " "
                      + p.responseFlags();
                }));
  }

  private static Observations run(Deployer deployer) {
    return ScenarioOrchestrator.run(SCENARIO, deployer).observations();
  }

  @Test
  void everyRequestHasTheSameProxyEvidenceOnBothTargets() {
    Assumptions.assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElse(""));
    Observations embedded = run(MeshDeployment.on(DataPlane::embedded));
    Observations envoy = run(MeshDeployment.on(EnvoyDataPlane::create));

    Map<String, String> expected = evidence(embedded);
    assertThat(expected).hasSize(13);
    assertThat(expected.values())
        .containsOnly(
            "200 - outbound|80|v1|catalog.default.svc.cluster.local -",
            "503 - outbound|80|v3|catalog.default.svc.cluster.local UH",
            "503 allow_any_not_loopback BlackHoleCluster UH");
    assertThat(evidence(envoy)).isEqualTo(expected);
    for (Observations run : List.of(embedded, envoy)) {
      assertThat(run.requests())
          .filteredOn(r -> r.status() == 200)
          .allSatisfy(
              r ->
                  assertThat(r.proxy().orElseThrow().upstreamHost())
                      .matches("127\\.0\\.0\\.1:\\d+"));
      List<FailedRequest> failed = run.failedRequests(20);
      assertThat(failed).hasSize(8);
      assertThat(failed)
          .allSatisfy(
              f -> {
                assertThat(f.requestId()).isNotEmpty();
                assertThat(f.proxy()).isNotEqualTo(Optional.empty());
              });
    }
  }
}
