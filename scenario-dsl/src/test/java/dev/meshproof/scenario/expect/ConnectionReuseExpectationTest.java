package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests per connection to the app, counted from the echo's x-echo-connection answer. */
class ConnectionReuseExpectationTest {
  private static RequestObservation request(int index, String connection) {
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic("t")
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(200)
        .service("catalog")
        .version("v1")
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(5))
        .responseHeaders(
            connection.isEmpty()
                ? Map.of()
                : Map.of("x-echo-connection", List.of("catalog-v1-0/" + connection)))
        .build();
  }

  @Test
  void theBusiestConnectionIsJudgedAgainstTheLimit() {
    Observations observations =
        new Observations(
            List.of(
                request(0, "a"),
                request(1, "a"),
                request(2, "a"),
                request(3, "b"),
                request(4, "")));
    assertThat(Expectations.requestsPerConnection().atMost(3).evaluate(observations).passed())
        .isTrue();
    ExpectationResult tooMany =
        Expectations.requestsPerConnection().atMost(2).evaluate(observations);
    assertThat(tooMany.passed()).isFalse();
    assertThat(tooMany.message())
        .contains("4 requests over 2 connection(s), at most 3 on one")
        .contains("catalog-v1-0/a carried 3");
    assertThat(
            Expectations.requestsPerConnection().reusedAtLeast(3).evaluate(observations).passed())
        .isTrue();
    assertThat(
            Expectations.requestsPerConnection().reusedAtLeast(4).evaluate(observations).passed())
        .isFalse();
    assertThat(
            Expectations.requestsPerConnection()
                .atMost(1)
                .evaluate(new Observations(List.of(request(0, ""))))
                .message())
        .contains("no request was answered with x-echo-connection");
    assertThatThrownBy(() -> Expectations.requestsPerConnection().reusedAtLeast(1))
        .hasMessage("reusedAtLeast: 1 (expected: >= 2)");
  }
}
