package dev.meshproof.k8s.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerProtocolTest {

  @Test
  void aRequestSurvivesTheWire() {
    HttpRequestSpec spec =
        new HttpRequestSpec(
            "POST",
            URI.create("http://catalog:8080/items?q=1"),
            Map.of("x-request-id", "r-7", "end-user", "jason"),
            "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
            Duration.ofMillis(2500));
    HttpRequestSpec back = RunnerProtocol.request(RunnerProtocol.requestJson(spec));
    assertThat(back.method()).isEqualTo("POST");
    assertThat(back.url()).isEqualTo(spec.url());
    assertThat(back.headers()).isEqualTo(spec.headers());
    assertThat(back.body()).isEqualTo(spec.body());
    assertThat(back.timeout()).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void anOutcomeSurvivesTheWire() {
    HttpOutcome outcome =
        new HttpOutcome(
            HttpOutcome.Kind.RESPONSE,
            503,
            Map.of("x-envoy-overloaded", List.of("true"), "set-cookie", List.of("a", "b")),
            "upstream connect error",
            Duration.ofNanos(1_234_567),
            null);
    assertThat(RunnerProtocol.outcome(RunnerProtocol.outcomeJson(outcome))).isEqualTo(outcome);
  }

  /**
   * A streamed gRPC call's outcome keeps what its stream timing is derived from (when the first
   * answer's bytes arrived, and the length-prefixed answers with the echo's send times), so the
   * driver's RequestObservation, a function of the outcome, judges a streamed-gRPC expectation on
   * the kubernetes target as on the others. Before, both were dropped and the call had no timing.
   */
  @Test
  void aStreamedGrpcOutcomeKeepsItsTimingOverTheWire() {
    long firstArrived = 1_764_000_000_123_456_789L;
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      byte[] message =
          dev.meshproof.fake.grpc.v1.EchoResponse.newBuilder()
              .setService("catalog")
              .setIndex(i)
              .setSentUnixNanos(firstArrived - 50_000_000L + i * 100_000_000L)
              .build()
              .toByteArray();
      raw.write(0);
      raw.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(message.length).array());
      raw.writeBytes(message);
    }
    byte[] body = raw.toByteArray();
    HttpOutcome outcome =
        new HttpOutcome(
            HttpOutcome.Kind.RESPONSE,
            200,
            Map.of("content-type", List.of("application/grpc"), "grpc-status", List.of("0")),
            new String(body, StandardCharsets.UTF_8),
            Duration.ofMillis(260),
            "",
            firstArrived,
            java.nio.ByteBuffer.wrap(body));

    HttpOutcome back = RunnerProtocol.outcome(RunnerProtocol.outcomeJson(outcome));

    assertThat(back).isEqualTo(outcome);
    assertThat(back.firstBodyUnixNanos()).isEqualTo(firstArrived);
    byte[] backBody = new byte[back.rawBody().remaining()];
    back.rawBody().duplicate().get(backBody);
    assertThat(backBody).isEqualTo(body);
  }

  @Test
  void anOutcomeWithoutStreamTimingReadsAsNotRecorded() {
    HttpOutcome back =
        RunnerProtocol.outcome(
            "{\"kind\":\"RESPONSE\",\"status\":200,\"headers\":{},\"body\":\"ok\","
                + "\"latencyNanos\":5,\"error\":\"\"}");
    assertThat(back.firstBodyUnixNanos()).isZero();
    assertThat(back.rawBody().remaining()).isZero();
  }
}
