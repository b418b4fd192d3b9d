package dev.meshproof.fake.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The recording of what one workload received, in arrival order: the evidence behind "the mesh
 * retried 3 times", "10% went to v2", "mirrored traffic arrived", "only productpage called".
 *
 * <p>Memory is bounded: past {@code capacity} the oldest entry is dropped and counted in {@link
 * #droppedCount()}, so a long soak test keeps its most recent evidence. Attempt numbers are tracked
 * per {@code x-request-id} for the same number of most recent ids.
 */
public final class RequestJournal {
  /** The default number of entries kept. */
  public static final int DEFAULT_CAPACITY = 100_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final int capacity;
  private final ArrayDeque<JournalEntry> entries = new ArrayDeque<>();
  private final Map<String, Integer> attempts;
  private long received;
  private long dropped;
  private long mirrored;

  /** A journal keeping at most {@code capacity} entries. */
  public RequestJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("journalCapacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
    this.attempts =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > RequestJournal.this.capacity;
          }
        };
  }

  /** The most entries kept. */
  public int capacity() {
    return capacity;
  }

  /**
   * Counts one more attempt for {@code requestId} and returns its 1-based number (1 when null).
   * Workloads call this once per request, before deciding how to answer.
   */
  public synchronized int countAttempt(String requestId) {
    if (requestId == null) {
      return 1;
    }
    return attempts.merge(requestId, 1, Integer::sum);
  }

  /** Appends an entry, dropping the oldest when full. */
  public synchronized void record(JournalEntry entry) {
    Objects.requireNonNull(entry, "entry");
    received++;
    if (entry.mirrored()) {
      mirrored++;
    }
    if (entries.size() == capacity) {
      entries.removeFirst();
      dropped++;
    }
    entries.addLast(entry);
  }

  /** The entries held, oldest first (a snapshot). */
  public synchronized List<JournalEntry> entries() {
    return List.copyOf(entries);
  }

  /** Number of entries held. Equals {@link #receivedCount()} unless entries were dropped. */
  public synchronized int count() {
    return entries.size();
  }

  /** Requests received since start (or {@link #clear()}), including dropped entries. */
  public synchronized long receivedCount() {
    return received;
  }

  /** Entries dropped because the journal was full. */
  public synchronized long droppedCount() {
    return dropped;
  }

  /** Mirrored requests received since start (or {@link #clear()}), including dropped entries. */
  public synchronized long mirroredCount() {
    return mirrored;
  }

  /** The held entries carrying {@code x-request-id: requestId}, in arrival order. */
  public synchronized List<JournalEntry> byRequestId(String requestId) {
    return entries.stream().filter(e -> Objects.equals(e.requestId(), requestId)).toList();
  }

  /** Forgets every entry, attempt count and counter (e.g. between scenario phases). */
  public synchronized void clear() {
    entries.clear();
    attempts.clear();
    received = 0;
    dropped = 0;
    mirrored = 0;
  }

  /** The journal as a JSON document: counters and entries, for a report's evidence. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toJsonNode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #toJson()} to {@code file}. */
  public void writeJson(Path file) throws IOException {
    Files.writeString(file, toJson());
  }

  /** The journal as a Jackson tree. */
  public synchronized ObjectNode toJsonNode() {
    ObjectNode root = JSON.createObjectNode();
    root.put("capacity", capacity);
    root.put("received", received);
    root.put("dropped", dropped);
    root.put("mirrored", mirrored);
    ArrayNode list = root.putArray("entries");
    for (JournalEntry e : entries) {
      ObjectNode n = list.addObject();
      n.put("timestamp", e.timestamp().toString());
      n.put("instance", e.instance());
      n.put("protocol", e.protocol());
      n.put("method", e.method());
      n.put("path", e.path());
      n.put("authority", e.authority());
      n.put("requestId", e.requestId());
      n.put("attempt", e.attempt());
      n.put("mirrored", e.mirrored());
      n.put("callerIdentity", e.callerIdentity());
      n.put("status", e.status());
      n.put("bodySize", e.bodySize());
      n.put("envoyAttemptCount", e.envoyAttemptCount());
      n.put("serviceTimeMs", e.serviceTime().toMillis());
    }
    return root;
  }
}
