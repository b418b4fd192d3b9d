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
}
