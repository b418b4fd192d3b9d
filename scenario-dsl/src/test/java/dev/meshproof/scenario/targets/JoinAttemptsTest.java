package dev.meshproof.scenario.targets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.journal.JournalEntry;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Journal entries join their request by id; mirror copies are kept apart from its attempts. */
class JoinAttemptsTest {
  private static JournalEntry entry(String instance, String authority, boolean mirrored, int ms) {
    return new JournalEntry(
        Instant.EPOCH.plusMillis(ms),
        instance,
        "HTTP/1.1",
        "GET",
        "/",
        authority,
        "id-0",
        1,
        mirrored,
        null,
        200,
        0,
        1,
        Duration.ZERO);
  }

  @Test
  void aMirrorCopySharingTheRequestIdIsNotAnAttempt() {
    RequestObservation request =
        RequestObservation.builder()
            .index(0)
            .requestId("id-0")
            .traffic("t")
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.RESPONSE)
            .status(200)
            .build();

    RequestObservation joined =
        ScenarioOrchestrator.joinAttempts(
                List.of(request),
                List.of(
                    entry("catalog-v2-0", "catalog", true, 1),
                    entry("catalog-v1-0", "catalog", false, 2)))
            .get(0);

    assertThat(joined.attempts()).extracting(a -> a.instance()).containsExactly("catalog-v1-0");
    assertThat(joined.mirrors())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.instance()).isEqualTo("catalog-v2-0");
              assertThat(m.authority()).isEqualTo("catalog");
            });
  }
}
