package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.scenario.targets.Deployer;
import dev.meshproof.scenario.targets.MeshDeployment;
import dev.meshproof.scenario.targets.ScenarioOrchestrator;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Scenario traffic beyond a GET loop, on both data planes: an open loop at a fixed rate with a PUT,
 * a body and a {@code Host: catalog:80} as written, each request varied by its sequence number and
 * a list of variants; an HTTP/2 (h2c) closed loop bounded by time; an HTTP/1.1 closed loop bounded
 * by time. Every request sent has exactly one outcome, and each one's own path, header and
 * authority reached the echo.
 */
class TrafficOptionsIT {
  private static final String SCENARIO =
      """
      name: traffic options
      services:
        - name: catalog
      clients: [web]
      traffic:
        - name: open
          from: web
          method: PUT
          url: http://catalog/items/${seq}
          headers: {Host: "catalog:80", x-order: "${seq}"}
          body: '{"n": ${seq}}'
          rate: 100
          duration: 1s
          concurrency: 2
          variants:
            - {}
            - {headers: {x-variant: second}}
        - name: h2
          from: web
          url: http://catalog/h2/${seq}
          protocol: HTTP2
          duration: 1s
          concurrency: 2
        - name: closed
          from: web
          url: http://catalog/closed
          duration: 500ms
          concurrency: 2
      expect:
        - successRate: {atLeast: 1.0}
      """;

  @TestFactory
  Stream<DynamicTest> openLoopHttp2AndTimeBoundTrafficOnEveryTarget() {
    return Stream.of(
        DynamicTest.dynamicTest("embedded", () -> check(MeshDeployment.on(DataPlane::embedded))),
        DynamicTest.dynamicTest(
            "envoy",
            () -> {
              Assumptions.assumeTrue(
                  EnvoyDataPlane.unavailableReason().isEmpty(),
                  () -> EnvoyDataPlane.unavailableReason().orElse(""));
              check(MeshDeployment.on(EnvoyDataPlane::create));
            }));
  }

  private static void check(Deployer deployer) {
    Scenario scenario =
        ScenarioYaml.parse("traffic-options.yaml", SCENARIO, f -> Optional.empty()).scenario();

    List<RequestObservation> requests =
        ScenarioOrchestrator.run(scenario, deployer).observations().requests();

    List<RequestObservation> open = byTraffic(requests, "open");
    assertThat(open).as("rate 100/s for 1s plans 100 requests, each with one outcome").hasSize(100);
    for (RequestObservation r : open) {
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.responseHeaders().get("x-echo-path")).containsExactly("/items/" + r.index());
      assertThat(r.responseHeaders().get("x-echo-authority")).containsExactly("catalog:80");
      assertThat(r.responseHeaders().get("x-echo-request-x-order"))
          .containsExactly(String.valueOf(r.index()));
      assertThat(r.responseHeaders().getOrDefault("x-echo-request-x-variant", List.of()))
          .isEqualTo(r.index() % 2 == 1 ? List.of("second") : List.of());
      assertThat(r.url()).isEqualTo("http://catalog/items/" + r.index());
    }
    // The open loop's intended starts are 10 ms apart whatever the answers did.
    assertThat(open.get(99).sentAt()).isBetween(Duration.ofMillis(980), Duration.ofMillis(1000));

    List<RequestObservation> h2 = byTraffic(requests, "h2");
    assertThat(h2).isNotEmpty();
    for (RequestObservation r : h2) {
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.responseHeaders().get("x-echo-path")).containsExactly("/h2/" + r.index());
    }
    List<RequestObservation> closed = byTraffic(requests, "closed");
    assertThat(closed).isNotEmpty().allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    // Sequence numbers are exactly 0..n-1: nothing sent is missing from the observations.
    for (List<RequestObservation> block : List.of(open, h2, closed)) {
      for (int i = 0; i < block.size(); i++) {
        assertThat(block.get(i).index()).isEqualTo(i);
      }
    }
  }

  private static List<RequestObservation> byTraffic(List<RequestObservation> all, String name) {
    return all.stream().filter(r -> r.traffic().equals(name)).toList();
  }
}
