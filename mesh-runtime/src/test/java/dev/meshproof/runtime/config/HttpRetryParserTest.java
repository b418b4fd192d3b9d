package dev.meshproof.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.VirtualService.HttpRetry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** VirtualService {@code timeout} and {@code retries}, validated as Istio's webhook does. */
class HttpRetryParserTest {
  private static String vs(String rule) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog}
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination: {host: catalog}
        """
        + rule;
  }

  private static VirtualService parse(String yaml) {
    return (VirtualService) IstioYamlParser.parse(yaml, "vs.yaml", "default").get(0);
  }

  @Test
  void timeoutAndRetriesAreRead() {
    VirtualService vs =
        parse(
            vs(
                """
                    timeout: 1.5s
                    retries: {attempts: 3, perTryTimeout: 250ms, retryOn: "5xx,503", retryRemoteLocalities: true}
                """));
    var rule = vs.http().get(0);
    assertThat(rule.timeout()).contains(Duration.ofMillis(1500));
    assertThat(rule.retries())
        .contains(
            new HttpRetry(3, Optional.of(Duration.ofMillis(250)), Optional.of("5xx,503"), true));
  }

  @Test
  void zeroAttemptsWithOtherRetryFieldsIsRejectedAsIstiosWebhookDoes() {
    assertThatThrownBy(() -> parse(vs("    retries: {attempts: 0, perTryTimeout: 1s}\n")))
        .hasMessageContaining(
            "vs.yaml:9:25: spec.http[0].retries.attempts: http retry policy configured when"
                + " attempts are set to 0 (disabled)");
  }

  @Test
  void unknownRetryOnTokensNegativeAttemptsAndBadDurationsAreLocatedErrors() {
    assertThatThrownBy(() -> parse(vs("    retries: {attempts: 2, retryOn: \"5xx, 503\"}\n")))
        .hasMessageContaining(
            "spec.http[0].retries.retryOn: \" 503\" is not a valid retryOn policy");
    assertThatThrownBy(() -> parse(vs("    retries: {attempts: -1}\n")))
        .hasMessageContaining("spec.http[0].retries.attempts: -1 is negative");
    assertThatThrownBy(() -> parse(vs("    timeout: soon\n")))
        .hasMessageContaining(
            "vs.yaml:9:14: spec.http[0].timeout: \"soon\" is not a duration such as 250ms");
    assertThatThrownBy(() -> parse(vs("    timeout: 1500us\n")))
        .hasMessageContaining("only durations to ms precision are supported");
    assertThatThrownBy(() -> parse(vs("    retries: {attempts: 1, perTryTimeout: 0s}\n")))
        .hasMessageContaining("perTryTimeout: 0s: duration must be at least 1ms");
  }
}
