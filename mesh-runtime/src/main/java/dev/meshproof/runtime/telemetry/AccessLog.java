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
  // Envoy's default-format details per entry; null where the caller had none (a codec reject).
  private final ArrayDeque<java.util.Optional<StreamDetails>> details = new ArrayDeque<>();
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
  public void record(AccessLogEntry entry, List<Map<String, String>> formats) {
    record(entry, formats, null);
  }

  /**
   * Records one request with what Envoy's default format prints beyond the entry ({@code details}
   * may be null: those fields print as {@code -} and 0).
   */
  public synchronized void record(
      AccessLogEntry entry, List<Map<String, String>> formats, StreamDetails details) {
    total++;
    if (entries.size() == capacity) {
      entries.removeFirst();
      this.formats.removeFirst();
      this.details.removeFirst();
      dropped++;
    }
    entries.addLast(entry);
    this.formats.addLast(formats);
    this.details.addLast(java.util.Optional.ofNullable(details));
  }

  /**
   * Every kept request in Envoy's default access-log format ({@link
   * AccessLogFormat#ENVOY_DEFAULT_TEXT}), oldest first: the in-memory sink a report shows, whatever
   * formats the connection manager configured.
   */
  public synchronized List<String> envoyDefaultLines() {
    List<String> lines = new ArrayList<>();
    var detail = details.iterator();
    for (AccessLogEntry entry : entries) {
      lines.add(AccessLogFormat.envoyDefaultLine(entry, detail.next().orElse(null)));
    }
    return lines;
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
