package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SplitExpectationTest {

  private static Observations served(int v1, int v2) {
    List<RequestObservation> requests = new ArrayList<>();
    for (int i = 0; i < v1 + v2; i++) {
      requests.add(
          new RequestObservation(
              i,
              "req-" + i,
              "traffic-1",
              "client",
              "http://catalog/",
              HttpOutcome.Kind.RESPONSE,
              200,
              Optional.of("catalog"),
              Optional.of(i < v1 ? "v1" : "v2"),
              Optional.of("catalog-x-0"),
              Duration.ofMillis(1),
              "",
              "",
              false,
              Duration.ZERO,
              Optional.empty()));
    }
    return new Observations(requests);
  }

  @Test
  void countsCloseToTheWeightsAreConsistent() {
    ExpectationResult result =
        Expectations.split("catalog")
            .byVersion(Map.of("v1", 0.9, "v2", 0.1))
            .atAlpha(0.001)
            .build()
            .evaluate(served(1795, 205));

    assertThat(result.passed()).isTrue();
    assertThat(result.statistics()).containsEntry("degrees of freedom", "1").containsKey("p-value");
    assertThat(result.distribution()).extracting(r -> r.observed()).containsExactly(1795L, 205L);
  }

  @Test
  void aWrongExpectationFailsWithTheObservedCountsInTheMessage() {
    ExpectationResult result =
        Expectations.split("catalog")
            .byVersion(Map.of("v1", 0.5, "v2", 0.5))
            .build()
            .evaluate(served(1800, 200));

    assertThat(result.passed()).isFalse();
    assertThat(result.message())
        .contains("v1=1800 (expected 1000.0)", "v2=200 (expected 1000.0)", "p-value");
  }

  @Test
  void aVersionExpectedToGetNothingFailsOnItsFirstRequest() {
    ExpectationResult result =
        Expectations.split("catalog")
            .byVersion(Map.of("v1", 1.0, "v2", 0.0))
            .build()
            .evaluate(served(1999, 1));

    assertThat(result.passed()).isFalse();
    assertThat(result.message()).contains("v2 received 1");
  }

  @Test
  void errorsAreReportedAsUnattributedNotCountedInTheSplit() {
    List<RequestObservation> requests = new ArrayList<>(served(90, 10).requests());
    requests.add(
        new RequestObservation(
            100,
            "req-100",
            "traffic-1",
            "client",
            "http://catalog/",
            HttpOutcome.Kind.TIMEOUT,
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(30),
            "no response within PT30S",
            "",
            false,
            Duration.ZERO,
            Optional.empty()));
    ExpectationResult result =
        Expectations.split("catalog")
            .byVersion(Map.of("v1", 0.9, "v2", 0.1))
            .build()
            .evaluate(new Observations(requests));

    assertThat(result.statistics())
        .containsEntry("unattributed requests", "1")
        .containsEntry("attributed responses", "100");
  }
}
