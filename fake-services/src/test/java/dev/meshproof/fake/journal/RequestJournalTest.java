package dev.meshproof.fake.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestJournalTest {
  private static JournalEntry entry(String path, String requestId, int attempt, boolean mirrored) {
    return new JournalEntry(
        Instant.EPOCH,
        "i-0",
        "HTTP/1.1",
        "GET",
        path,
        "svc",
        requestId,
        attempt,
        mirrored,
        null,
        200,
        0);
  }

  @Test
  void dropsTheOldestPastCapacityAndCountsIt() {
    RequestJournal j = new RequestJournal(2);
    j.record(entry("/1", null, 1, true));
    j.record(entry("/2", null, 1, false));
    j.record(entry("/3", null, 1, false));
    assertThat(j.entries()).extracting(JournalEntry::path).containsExactly("/2", "/3");
    assertThat(j.count()).isEqualTo(2);
    assertThat(j.receivedCount()).isEqualTo(3);
    assertThat(j.droppedCount()).isEqualTo(1);
    assertThat(j.mirroredCount()).isEqualTo(1);
  }

  @Test
  void countsAttemptsPerRequestId() {
    RequestJournal j = new RequestJournal(10);
    assertThat(j.countAttempt("a")).isEqualTo(1);
    assertThat(j.countAttempt("a")).isEqualTo(2);
    assertThat(j.countAttempt("b")).isEqualTo(1);
    assertThat(j.countAttempt(null)).isEqualTo(1);
    j.clear();
    assertThat(j.countAttempt("a")).isEqualTo(1);
  }

  @Test
  void exportsJsonEvidence() throws Exception {
    RequestJournal j = new RequestJournal(10);
    j.record(entry("/x", "r", 1, false));
    var tree = new ObjectMapper().readTree(j.toJson());
    assertThat(tree.get("received").asInt()).isEqualTo(1);
    assertThat(tree.get("entries").get(0).get("requestId").asText()).isEqualTo("r");
    assertThat(tree.get("entries").get(0).get("timestamp").asText())
        .isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new RequestJournal(0)).hasMessageStartingWith("journalCapacity:");
  }
}
