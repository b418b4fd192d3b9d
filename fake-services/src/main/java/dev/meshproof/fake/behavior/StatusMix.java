package dev.meshproof.fake.behavior;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * A weighted mix of HTTP statuses, e.g. {@code 500:90,200:10}: the shape of an upstream that fails
 * a known fraction of the time, which is what Istio retry and outlier-detection scenarios need.
 */
public record StatusMix(List<WeightedStatus> entries) {

  /** What {@link #parse} accepts, for error messages. */
  public static final String EXPECTED = "status:weight pairs like 500:90,200:10";

  /** One status and its relative weight. */
  public record WeightedStatus(int status, int weight) {
    /** Validates the status range (100-599) and a non-negative weight. */
    public WeightedStatus {
      checkStatus("status", status);
      if (weight < 0) {
        throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
      }
    }
  }

  /** Copies the entries and checks that the total weight is positive. */
  public StatusMix {
    entries = List.copyOf(entries);
    if (entries.stream().mapToLong(WeightedStatus::weight).sum() <= 0) {
      throw new IllegalArgumentException("entries: " + entries + " (expected: total weight > 0)");
    }
  }

  /** A mix that always answers {@code status}. */
  public static StatusMix of(int status) {
    return new StatusMix(List.of(new WeightedStatus(status, 1)));
  }

  /**
   * Parses {@code 500:90,200:10}; a bare status ({@code 503}) has weight 1.
   *
   * @throws IllegalArgumentException whose message says what is expected
   */
  public static StatusMix parse(String spec) {
    String s = spec == null ? "" : spec.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("\"\" (expected: " + EXPECTED + ")");
    }
    List<WeightedStatus> list = new ArrayList<>();
    try {
      for (String part : s.split(",")) {
        String[] kv = part.trim().split(":", -1);
        if (kv.length > 2) {
          throw new NumberFormatException(part);
        }
        int status = Integer.parseInt(kv[0].trim());
        int weight = kv.length == 2 ? Integer.parseInt(kv[1].trim()) : 1;
        list.add(new WeightedStatus(status, weight));
      }
      return new StatusMix(list);
    } catch (IllegalArgumentException e) {
      // NumberFormatException is an IllegalArgumentException: one message for every malformed mix.
      throw new IllegalArgumentException("\"" + s + "\" (expected: " + EXPECTED + ")", e);
    }
  }

  /** Draws one status with probability weight / total weight. */
  public int pick(RandomGenerator random) {
    long total = entries.stream().mapToLong(WeightedStatus::weight).sum();
    long x = random.nextLong(total);
    for (WeightedStatus e : entries) {
      x -= e.weight();
      if (x < 0) {
        return e.status();
      }
    }
    throw new IllegalStateException("weights changed while picking from " + entries);
  }

  /** The mix in {@code status:weight,...} form. */
  public String spec() {
    return entries.stream()
        .map(e -> e.status() + ":" + e.weight())
        .collect(Collectors.joining(","));
  }

  static void checkStatus(String field, int status) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException(field + ": " + status + " (expected: 100-599)");
    }
  }
}
