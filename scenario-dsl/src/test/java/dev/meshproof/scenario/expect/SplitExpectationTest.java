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
import org.junit.jupiter.api.Test;

class SplitExpectationTest {

  private static Observations served(int v1, int v2) {
    List<RequestObservation> requests = new ArrayList<>();
    for (int i = 0; i < v1 + v2; i++) {
      requests.add(
          RequestObservation.builder()
              .index(i)
              .requestId("req-" + i)
              .traffic("traffic-1")
              .from("client")
              .url("http://catalog/")
              .kind(HttpOutcome.Kind.RESPONSE)
              .status(200)
              .service("catalog")
              .version(i < v1 ? "v1" : "v2")
              .instance("catalog-x-0")
              .latency(Duration.ofMillis(1))
              .build());
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
        RequestObservation.builder()
            .index(100)
            .requestId("req-100")
            .traffic("traffic-1")
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.TIMEOUT)
            .status(0)
            .latency(Duration.ofSeconds(30))
            .error("no response within PT30S")
            .build());
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
