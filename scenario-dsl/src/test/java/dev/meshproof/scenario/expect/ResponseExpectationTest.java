package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseExpectationTest {

  private static RequestObservation answer(int status, Map<String, List<String>> headers) {
    return RequestObservation.builder()
        .index(0)
        .requestId("id-0")
        .traffic("t")
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .service("catalog")
        .version("v1")
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(1))
        .responseHeaders(headers)
        .build();
  }

  private static Observations of(RequestObservation... requests) {
    return new Observations(List.of(requests));
  }

  @Test
  void everyRequestMustMatchStatusHeadersAndWhatTheEchoReceived() {
    ResponseExpectation expectation =
        Expectations.response()
            .status(301)
            .header("location", "http://x/here")
            .headerAbsent("x-echo-instance")
            .receivedHeader("x-set", "mesh")
            .build();
    RequestObservation good =
        answer(
            301,
            Map.of("location", List.of("http://x/here"), "x-echo-request-x-set", List.of("mesh")));
    RequestObservation bad = answer(302, Map.of("x-echo-instance", List.of("catalog-v1-0")));

    assertThat(expectation.evaluate(of(good, good)).passed()).isTrue();
    var failed = expectation.evaluate(of(good, bad));
    assertThat(failed.passed()).isFalse();
    assertThat(failed.message())
        .contains("1 of 2 requests")
        .contains("status 302 (expected 301)")
        .contains("location: absent (expected http://x/here)")
        .contains("x-echo-instance: catalog-v1-0 (expected absent)");
  }

  @Test
  void anExpectationWithoutChecksOrAnUnreportedHeaderIsRefused() {
    assertThatThrownBy(() -> Expectations.response().build()).hasMessageContaining("no check");
    assertThatThrownBy(() -> Expectations.response().receivedHeader("host", "x"))
        .hasMessageContaining("expected: an x- header");
    assertThat(Expectations.response().status(200).build().evaluate(of()).passed()).isFalse();
  }
}
