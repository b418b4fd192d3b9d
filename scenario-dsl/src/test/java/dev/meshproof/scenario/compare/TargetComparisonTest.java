package dev.meshproof.scenario.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.TrafficSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetComparisonTest {

  private static ScenarioResult run(String target, long v1, long v2) {
    long n = v1 + v2;
    ExpectationResult split =
        new ExpectationResult(
            "split of catalog by version is v1 90%/v2 10%",
            true,
            "",
            Map.of(),
            List.of(
                new DistributionRow("v1", v1, (double) v1 / n, 0.9, 0.9 * n),
                new DistributionRow("v2", v2, (double) v2 / n, 0.1, 0.1 * n)));
    return ScenarioResult.builder("canary", target, 1)
        .status(Status.PASSED)
        .started(Instant.EPOCH)
        .duration(Duration.ZERO)
        .traffic(TrafficSummary.none())
        .expectations(List.of(split))
        .failure(Optional.empty())
        .attachments(Map.of())
        .build();
  }

  @Test
  void splitsFromTheSameWeightsAreConsistent() {
    List<ExpectationResult> results =
        TargetComparison.compare(run("embedded", 1808, 192), run("envoy", 1795, 205), 0.001);

    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.passed()).isTrue();
              assertThat(r.message()).contains("v1 embedded=1808/envoy=1795");
              assertThat(r.statistics()).containsKey("p-value");
            });
  }

  @Test
  void aDataPlaneThatIgnoresTheWeightsIsAFinding() {
    List<ExpectationResult> results =
        TargetComparison.compare(run("embedded", 1800, 200), run("envoy", 1000, 1000), 0.001);

    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.passed()).isFalse();
              assertThat(r.message()).startsWith("DIFFERENT distributions");
            });
  }
}
