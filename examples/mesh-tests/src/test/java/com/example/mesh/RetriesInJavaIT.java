package com.example.mesh;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.junit.MeshproofExtension;
import dev.meshproof.scenario.result.ScenarioResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A scenario built in Java, for a test that needs code around it. */
class RetriesInJavaIT {
  @RegisterExtension
  static final MeshproofExtension mesh = MeshproofExtension.onTargets("embedded");

  private static final String RETRY_TWICE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: ratings
      spec:
        hosts: [ratings]
        http:
          - route:
              - destination: {host: ratings}
            retries: {attempts: 2, retryOn: 5xx}
      """;

  @Test
  void aFlakyServiceSucceedsOnItsSecondAttempt() {
    List<ScenarioResult> results =
        mesh.assertPasses(
            Scenario.named("ratings retried once")
                .service("ratings", s -> s.version("v1"))
                .client("reviews")
                .istio("retry-twice.yaml", RETRY_TWICE)
                .traffic(
                    t ->
                        t.from("reviews")
                            .get("http://ratings/retry?succeedAfter=1&responseCode=503")
                            .requests(10))
                .expect(attempts().exactly(2))
                .expect(successRate().atLeast(0.99))
                .build());

    assertThat(results)
        .singleElement()
        .satisfies(r -> assertThat(r.traffic().sent()).isEqualTo(10));
  }
}
