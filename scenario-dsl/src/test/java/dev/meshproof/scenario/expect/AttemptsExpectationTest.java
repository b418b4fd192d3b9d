package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.UpstreamAttemptObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttemptsExpectationTest {
  private static RequestObservation request(int index, int attempts, int status, long latencyMs) {
    List<UpstreamAttemptObservation> journaled = new ArrayList<>();
    for (int i = 1; i <= attempts; i++) {
      journaled.add(
          new UpstreamAttemptObservation(
              "catalog-v1-0", i < attempts ? 503 : status, Instant.EPOCH, Duration.ZERO, i));
    }
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic("t")
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .service("catalog")
        .version("v1")
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(latencyMs))
        .build()
        .withAttempts(journaled);
  }

  @Test
  void anExactCountFailsWithTheOffendingRequestsAttempts() {
    Observations observations =
        new Observations(List.of(request(0, 3, 200, 10), request(1, 1, 503, 5)));

    ExpectationResult result = Expectations.attempts().exactly(3).build().evaluate(observations);

    assertThat(result.passed()).isFalse();
    assertThat(result.message())
        .contains("1 of 2 requests did not make 3 attempt(s)")
        .contains("request id-1 -> 503 after 5 ms, attempts [catalog-v1-0 503 (attempt-count 1");
    assertThat(Expectations.attempts().neverRetried().build().evaluate(observations).passed())
        .isFalse();
  }

  @Test
  void aDistributionIsJudgedByChiSquareAtTheStatedAlpha() {
    List<RequestObservation> requests = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      requests.add(request(i, i % 2 == 0 ? 1 : 2, 200, 1));
    }
    Collections.shuffle(requests, new java.util.Random(1));
    Observations observations = new Observations(requests);

    assertThat(
            Expectations.attempts()
                .distribution(Map.of(1, 0.5, 2, 0.5))
                .atAlpha(0.001)
                .build()
                .evaluate(observations)
                .passed())
        .isTrue();
    ExpectationResult skewed =
        Expectations.attempts()
            .distribution(Map.of(1, 0.9, 2, 0.1))
            .atAlpha(0.001)
            .build()
            .evaluate(observations);
    assertThat(skewed.passed()).isFalse();
    assertThat(skewed.statistics()).containsKey("p-value");
  }

  @Test
  void latencyAndFlagExpectationsBoundEveryRequest() {
    Observations observations =
        new Observations(List.of(request(0, 1, 200, 250), request(1, 1, 200, 420)));
    assertThat(
            Expectations.latency()
                .atMost(Duration.ofMillis(200), Duration.ofMillis(100))
                .build()
                .evaluate(observations)
                .message())
        .contains("1 of 2 requests outside the bounds; request id-1 -> 200 after 420 ms");
    assertThat(Expectations.responseFlag("UT").build().evaluate(observations).passed()).isFalse();
    assertThatThrownBy(() -> Expectations.responseFlag("URY"))
        .hasMessageContaining(
            "responseFlag: URY (expected one of: [DI, FI, NR, UC, UF, UH, URX, UT]");
  }

  @Test
  void urxIsJudgedFromTheClientSidecarsAccessLogLine() {
    RequestObservation exhausted =
        request(0, 4, 503, 10)
            .withProxy(
                new dev.meshproof.scenario.result.ProxyEvidence(
                    "r", "outbound|80||catalog", "127.0.0.1:1", "URX"));
    RequestObservation succeeded =
        request(1, 3, 200, 10)
            .withProxy(
                new dev.meshproof.scenario.result.ProxyEvidence(
                    "r", "outbound|80||catalog", "127.0.0.1:1", "-"));
    RequestObservation unlogged = request(2, 4, 503, 10);

    assertThat(
            Expectations.responseFlag("URX")
                .build()
                .evaluate(new Observations(List.of(exhausted)))
                .passed())
        .isTrue();
    assertThat(
            Expectations.responseFlag("URX")
                .build()
                .evaluate(new Observations(List.of(exhausted, succeeded)))
                .passed())
        .isFalse();
    assertThat(
            Expectations.responseFlag("URX")
                .build()
                .evaluate(new Observations(List.of(unlogged)))
                .passed())
        .isFalse();
  }
}
