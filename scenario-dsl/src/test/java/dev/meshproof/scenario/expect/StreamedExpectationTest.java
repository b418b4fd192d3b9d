package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import dev.meshproof.scenario.traffic.StreamTiming;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StreamedExpectationTest {
  private static final long SECOND = 1_000_000_000L;

  private static RequestObservation call(int index, Optional<StreamTiming> timing) {
    RequestObservation call =
        RequestObservation.builder()
            .index(index)
            .requestId("id-" + index)
            .traffic("stream")
            .from("client")
            .url("http://echo/meshproof.echo.v1.EchoService/EchoStream")
            .kind(HttpOutcome.Kind.RESPONSE)
            .status(200)
            .latency(Duration.ofMillis(900))
            .responseHeaders(Map.of("grpc-status", List.of("0")))
            .build();
    return timing.map(call::withStream).orElse(call);
  }

  /** Four answers 300 ms apart: the first arrives 1 ms after it was sent, the last leaves later. */
  private static StreamTiming forwarded() {
    return new StreamTiming(4, 100 * SECOND + 1_000_000, 100 * SECOND + 900_000_000);
  }

  /** The same answers collected by a proxy: the first arrives only after the last was sent. */
  private static StreamTiming collected() {
    return new StreamTiming(4, 100 * SECOND + 901_000_000, 100 * SECOND + 900_000_000);
  }

  @Test
  void passesWhenEveryCallGotItsFirstAnswerBeforeTheLastWasSent() {
    ExpectationResult result =
        Expectations.streamed("stream")
            .evaluate(
                new Observations(
                    List.of(call(0, Optional.of(forwarded())), call(1, Optional.of(forwarded())))));

    assertThat(result.passed()).isTrue();
    assertThat(result.message())
        .isEqualTo("2 of 2 calls got their first answer before the last was sent");
  }

  @Test
  void oneCollectedAnswerFailsItAndIsNamed() {
    ExpectationResult result =
        Expectations.streamed("stream")
            .evaluate(
                new Observations(
                    List.of(call(0, Optional.of(forwarded())), call(1, Optional.of(collected())))));

    assertThat(result.passed()).isFalse();
    assertThat(result.message())
        .contains("1 got it only after (e.g. id-1: first answer 1000 µs after");
    assertThat(result.statistics()).containsEntry("collected", "1");
  }

  @Test
  void aCallWithoutTimingOrWithOneAnswerProvesNothing() {
    assertThat(
            Expectations.streamed("stream")
                .evaluate(new Observations(List.of(call(0, Optional.empty()))))
                .passed())
        .isFalse();
    assertThat(
            Expectations.streamed("stream")
                .evaluate(
                    new Observations(List.of(call(0, Optional.of(new StreamTiming(1, 1, 2))))))
                .passed())
        .isFalse();
    assertThat(Expectations.streamed("other").evaluate(new Observations(List.of())).passed())
        .isFalse();
  }

  @Test
  void writesItsScenarioFileForm() {
    assertThat(Expectations.streamed("stream").toYaml())
        .isEqualTo(Map.of("streamed", Map.of("traffic", "stream")));
  }
}
