package dev.meshproof.scenario.result;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioResultTest {
  private static final Instant STARTED = Instant.parse("2025-06-01T11:58:00Z");

  @Test
  void aSkippedRunNeedsOnlyStatusStartAndReason() {
    ScenarioResult result =
        ScenarioResult.builder("canary", "envoy", 7)
            .status(Status.SKIPPED)
            .started(STARTED)
            .failure("no Envoy binary")
            .build();

    assertThat(result)
        .isEqualTo(
            new ScenarioResult(
                "canary",
                "envoy",
                7,
                Status.SKIPPED,
                STARTED,
                Duration.ZERO,
                TrafficSummary.none(),
                List.of(),
                Optional.of("no Envoy binary"),
                Map.of(),
                List.of(),
                List.of()));
  }

  @Test
  void keepsOnlyTheFirstFailedRequests() {
    FailedRequest failed =
        new FailedRequest(1, "traffic-1", "http://catalog/", "RESET", 0, "", 1, "");

    ScenarioResult result =
        ScenarioResult.builder("canary", "embedded", 1)
            .status(Status.FAILED)
            .started(STARTED)
            .failedRequests(Collections.nCopies(ScenarioResult.MAX_FAILED_REQUESTS + 5, failed))
            .build();

    assertThat(result.failedRequests()).hasSize(ScenarioResult.MAX_FAILED_REQUESTS);
  }

  @Test
  void toBuilderCopiesEveryField() {
    ScenarioResult result =
        ScenarioResult.builder("canary", "embedded", 1)
            .status(Status.PASSED)
            .started(STARTED)
            .duration(Duration.ofMillis(5))
            .attachments(Map.of("config_dump client-0", "{}"))
            .build();

    assertThat(result.toBuilder().build()).isEqualTo(result);
    assertThat(result.toBuilder().attachments(Map.of()).build().attachments()).isEmpty();
  }

  @Test
  void buildNamesTheMissingField() {
    assertThatThrownBy(
            () -> ScenarioResult.builder("canary", "embedded", 1).started(STARTED).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status: missing (expected: one of [PASSED, FAILED, SKIPPED])");
    assertThatThrownBy(
            () -> ScenarioResult.builder("canary", "embedded", 1).status(Status.PASSED).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("started: missing");
    assertThatThrownBy(() -> ScenarioResult.builder(" ", "embedded", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("scenario: blank");
  }
}
