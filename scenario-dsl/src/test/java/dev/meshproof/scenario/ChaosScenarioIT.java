package dev.meshproof.scenario;

import static dev.meshproof.scenario.expect.Expectations.successRate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.chaos.Chaos;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Targets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChaosScenarioIT {

  @Test
  void serviceFaultFromTheStartShowsInTheSuccessRateAndIsRevertedAtTheEnd() {
    Scenario scenario =
        Scenario.named("catalog v1 returns 503 for 30% of calls")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .traffic(t -> t.from("client").get("http://catalog/").requests(400))
            .chaos(
                c -> c.at(Duration.ZERO, Chaos.service("catalog").version("v1").errors(0.3, "503")))
            .expect(successRate().atLeast(0.6))
            .expect(successRate().atLeast(0.99))
            .seed(5)
            .build();

    ScenarioResult result = ScenarioRunner.run(scenario, Targets.embedded());

    assertThat(result.status()).isEqualTo(Status.FAILED);
    assertThat(result.expectations().get(0).passed()).isTrue();
    assertThat(result.expectations().get(1).passed()).isFalse();
    assertThat(result.traffic().statusCounts()).containsKeys(200, 503);
    assertThat(result.traffic().sent()).isEqualTo(400);
    assertThat(result.attachments().get("chaos_events")).contains("INJECTED").contains("REVERTED");
    assertThat(result.failedRequests())
        .hasSize(ScenarioResult.MAX_FAILED_REQUESTS)
        .allSatisfy(
            r -> {
              assertThat(r.status()).isEqualTo(503);
              assertThat(r.servedBy()).isEqualTo("catalog-v1-0");
            });
    assertThat(result.failureSummary())
        .contains("first failed requests:", "RESPONSE 503 from catalog-v1-0");
  }
}
