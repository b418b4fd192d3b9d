package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetRun;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Proxy-level chaos through the control plane while traffic runs: Istio's HTTPFaultInjection (an
 * abort with the unusual status 418, flag FI) applied 1 s into paced traffic and removed 1.5 s
 * later, on every target. The 418s exist only because the fault was pushed mid-run, and they form
 * one block: the requests before the push and after the restore reached catalog.
 */
class ProxyFaultDuringTrafficIT {
  private static final String ROUTE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: catalog
      spec:
        hosts:
        - catalog
        http:
        - route:
          - destination:
              host: catalog
      """;

  private static final String ABORT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: catalog
      spec:
        hosts:
        - catalog
        http:
        - fault:
            abort:
              httpStatus: 418
              percentage:
                value: 100
          route:
          - destination:
              host: catalog
      """;

  @TestFactory
  Stream<DynamicTest> aFaultPushedMidRunAbortsOnlyTheRequestsWhileItIsInForce() {
    return ConformanceTargets.all().stream()
        .map(t -> DynamicTest.dynamicTest("proxy fault mid-run on " + t.name(), () -> run(t)));
  }

  private static void run(Target target) {
    Assumptions.assumeTrue(
        target.unavailableReason().isEmpty(), () -> target.unavailableReason().orElse(""));
    Scenario scenario =
        Scenario.named("abort 418 pushed mid-run")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .istio("catalog.yaml", ROUTE)
            .traffic(
                t ->
                    t.from("client")
                        .get("http://catalog/")
                        .requests(250)
                        .every(Duration.ofMillis(20)))
            .chaos(
                c ->
                    c.at(Duration.ofSeconds(1), Chaos.proxy("abort 418", ABORT, ROUTE))
                        .lasting(Duration.ofMillis(1500)))
            .build();

    TargetRun run = target.run(scenario);

    List<RequestObservation> requests = run.observations().requests();
    assertThat(run.attachments().get("chaos_events"))
        .contains("INJECTED proxy: abort 418", "REVERTED proxy: abort 418");
    // Before the push nothing is aborted (the fault is applied at 1 s, then synced).
    assertThat(requests)
        .filteredOn(r -> r.sentAt().compareTo(Duration.ofSeconds(1)) < 0)
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    List<Integer> aborted =
        requests.stream().filter(r -> r.status() == 418).map(RequestObservation::index).toList();
    assertThat(aborted).isNotEmpty();
    // One contiguous block: applied once, removed once.
    assertThat(aborted)
        .isEqualTo(
            IntStream.rangeClosed(aborted.get(0), aborted.get(aborted.size() - 1))
                .boxed()
                .toList());
    assertThat(requests)
        .filteredOn(r -> r.status() == 418)
        .allSatisfy(
            r ->
                assertThat(r.proxy())
                    .hasValueSatisfying(p -> assertThat(p.responseFlags()).contains("FI")));
    assertThat(requests)
        .filteredOn(r -> r.status() != 418)
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    // After the restore catalog answers again.
    assertThat(requests.get(requests.size() - 1).status()).isEqualTo(200);
  }
}
