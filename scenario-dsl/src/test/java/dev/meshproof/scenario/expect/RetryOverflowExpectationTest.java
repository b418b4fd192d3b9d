package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.UpstreamAttemptObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retries refused by the retry circuit breaker: the upstream's answer with flag UO counts; a local
 * x-envoy-overloaded 503 (the connection pool refusing the request) and a request without UO do
 * not.
 */
class RetryOverflowExpectationTest {
  private static RequestObservation request(
      int index, String traffic, int status, boolean overloaded, String flags, int attempts) {
    List<UpstreamAttemptObservation> journaled =
        java.util.stream.IntStream.rangeClosed(1, attempts)
            .mapToObj(
                i ->
                    new UpstreamAttemptObservation(
                        "catalog-v1-0", 503, Instant.EPOCH, Duration.ZERO, i))
            .toList();
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic(traffic)
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .service("catalog")
        .version("v1")
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(5))
        .overloaded(overloaded)
        .proxy(new ProxyEvidence("-", "outbound|80||catalog", "127.0.0.1:1", flags))
        .build()
        .withAttempts(journaled);
  }

  @Test
  void countsUpstreamAnswersFlaggedUoWithTheirAttempts() {
    Observations observations =
        new Observations(
            List.of(
                request(0, "together", 503, false, "UO", 1),
                request(1, "together", 503, true, "UO", 0), // pool overflow: a local reply
                request(2, "together", 200, false, "-", 2),
                request(3, "alone", 200, false, "-", 2)));

    ExpectationResult together =
        Expectations.retryOverflows().forTraffic("together").atLeast(1).evaluate(observations);
    assertThat(together.passed()).isTrue();
    assertThat(together.message())
        .contains("1 of 3 requests had a retry refused")
        .contains("request id-0: status 503")
        .contains("flags=UO")
        .contains("attempts [catalog-v1-0=503]");
    assertThat(
            Expectations.retryOverflows()
                .forTraffic("alone")
                .none()
                .evaluate(observations)
                .passed())
        .isTrue();
    ExpectationResult wrong =
        Expectations.retryOverflows().forTraffic("together").none().evaluate(observations);
    assertThat(wrong.passed()).isFalse();
    assertThat(wrong.message()).contains("(expected none)");
    assertThat(Expectations.retryOverflows().atLeast(2).evaluate(observations).passed()).isFalse();
    assertThat(
            Expectations.retryOverflows()
                .forTraffic("nothing")
                .none()
                .evaluate(observations)
                .passed())
        .as("no request sent")
        .isFalse();
  }

  @Test
  void boundsAreChecked() {
    assertThatThrownBy(() -> Expectations.retryOverflows().atLeast(0))
        .hasMessage("atLeast: 0 (expected: >= 1)");
    assertThat(Expectations.retryOverflows().forTraffic("t").none().toYaml())
        .isEqualTo(
            java.util.Map.of("retryOverflows", java.util.Map.of("traffic", "t", "none", true)));
  }
}
