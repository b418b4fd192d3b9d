package dev.meshproof.k8s.target;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshproof.fake.journal.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A fake service's journal as its control API serves it ({@code RequestJournal.toJsonNode}). */
final class JournalJson {
  private JournalJson() {}

  static List<JournalEntry> entries(JsonNode journal) {
    List<JournalEntry> entries = new ArrayList<>();
    for (JsonNode n : journal.path("entries")) {
      entries.add(
          new JournalEntry(
              Instant.parse(n.path("timestamp").asText()),
              n.path("instance").asText(),
              n.path("protocol").asText(),
              n.path("method").asText(),
              n.path("path").asText(),
              n.path("authority").asText(),
              n.path("requestId").isNull() ? null : n.path("requestId").asText(null),
              n.path("attempt").asInt(),
              n.path("mirrored").asBoolean(),
              n.path("callerIdentity").isNull() ? null : n.path("callerIdentity").asText(null),
              n.path("status").asInt(),
              n.path("bodySize").asLong(),
              n.path("envoyAttemptCount").asInt(),
              Duration.ofMillis(n.path("serviceTimeMs").asLong())));
    }
    return entries;
  }
}
