package dev.meshproof.runtime.telemetry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A sidecar's access log kept in memory for observations and evidence. Bounded: past {@code
 * capacity} the oldest entries are dropped and counted, so a long run cannot exhaust memory and the
 * report can say how much it did not keep.
 */
public final class AccessLog {
  private final int capacity;
  private final ArrayDeque<AccessLogEntry> entries = new ArrayDeque<>();
  private long dropped;
  private long total;

  public AccessLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.capacity = capacity;
  }

  public synchronized void record(AccessLogEntry entry) {
    total++;
    if (entries.size() == capacity) {
      entries.removeFirst();
      dropped++;
    }
    entries.addLast(entry);
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
