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

class GrpcStatusExpectationTest {

  private static RequestObservation call(int index, Optional<String> grpcStatus, int status) {
    Map<String, List<String>> headers =
        grpcStatus.map(s -> Map.of("grpc-status", List.of(s))).orElse(Map.of());
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic("calls")
        .from("client")
        .url("http://echo/a.B/C")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .latency(Duration.ofMillis(1))
        .responseHeaders(headers)
        .build();
  }

  private static Observations calls(int unavailable, int ok) {
    List<RequestObservation> out = new ArrayList<>();
    for (int i = 0; i < unavailable; i++) {
      out.add(call(out.size(), Optional.of("14"), 200));
    }
    for (int i = 0; i < ok; i++) {
      out.add(call(out.size(), Optional.of("0"), 200));
    }
    return new Observations(out);
  }

  @Test
  void everyCallMustEndWithTheStatusAndANonOkStatusIsNoSuccess() {
    var all = Expectations.grpcStatus("UNAVAILABLE").build();

    assertThat(all.evaluate(calls(10, 0)).passed()).isTrue();
    ExpectationResult oneOk = all.evaluate(calls(9, 1));
    assertThat(oneOk.passed()).isFalse();
    assertThat(oneOk.message()).contains("9 of 10 calls ended UNAVAILABLE").contains("OK=1");
    assertThat(calls(1, 0).requests().get(0).succeeded()).isFalse();
    assertThat(calls(0, 1).requests().get(0).succeeded()).isTrue();
  }

  @Test
  void aShareIsJudgedByAnExactBinomialTestAtTheStatedAlpha() {
    var share = Expectations.grpcStatus("UNAVAILABLE").fraction(0.3).atAlpha(1e-4).build();

    ExpectationResult near = share.evaluate(calls(29, 71));
    assertThat(near.passed()).isTrue();
    assertThat(near.statistics()).containsEntry("alpha", "1.0E-4");
    assertThat(share.evaluate(calls(60, 40)).passed()).isFalse();
  }

  @Test
  void aPlainHttpAnswerOrAMalformedStatusIsNotTheStatus() {
    var ok = Expectations.grpcStatus("OK").build();
    ExpectationResult plain =
        ok.evaluate(new Observations(List.of(call(0, Optional.empty(), 200))));
    assertThat(plain.passed()).isFalse();
    assertThat(plain.message()).contains("no grpc-status (HTTP 200)");
    assertThat(call(0, Optional.of("fourteen"), 200).grpcStatus()).hasValue(2);
  }
}
