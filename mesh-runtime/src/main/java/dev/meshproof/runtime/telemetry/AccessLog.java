package dev.meshproof.runtime.telemetry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sidecar's access log kept in memory for observations and evidence. Bounded: past {@code
 * capacity} the oldest entries are dropped and counted, so a long run cannot exhaust memory and the
 * report can say how much it did not keep.
 */
public final class AccessLog {
  private final int capacity;
  private final ArrayDeque<AccessLogEntry> entries = new ArrayDeque<>();
  // The formats are the connection manager's own (shared) list: rendering waits until read.
  private final ArrayDeque<List<Map<String, String>>> formats = new ArrayDeque<>();
  private long dropped;
  private long total;

  public AccessLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.capacity = capacity;
  }

  /**
   * Records one request: the entry, and its line in each configured {@code json_format} (none when
   * the connection manager has no access log, as Envoy then writes nothing).
   */
  public synchronized void record(AccessLogEntry entry, List<Map<String, String>> formats) {
    total++;
    if (entries.size() == capacity) {
      entries.removeFirst();
      this.formats.removeFirst();
      dropped++;
    }
    entries.addLast(entry);
    this.formats.addLast(formats);
  }

  /** The lines written by the configured access loggers, key to value, oldest first. */
  public synchronized List<Map<String, String>> lines() {
    List<Map<String, String>> lines = new ArrayList<>();
    var format = formats.iterator();
    for (AccessLogEntry entry : entries) {
      for (Map<String, String> json : format.next()) {
        lines.add(AccessLogFormat.render(json, entry));
      }
    }
    return lines;
  }

  public synchronized List<AccessLogEntry> entries() {
    return new ArrayList<>(entries);
  }

  /** Entries dropped because the log was full. */
  public synchronized long dropped() {
    return dropped;
  }

  /** Entries ever recorded, kept or dropped. */
  public synchronized long total() {
    return total;
  }
}
