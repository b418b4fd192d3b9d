package dev.meshproof.reports;

import dev.meshproof.scenario.result.Status;
import java.util.Collection;

/**
 * How many tests (or runs) passed, failed and were skipped: the {@code statistics} block of a
 * Gateway API conformance profile.
 */
public record Statistics(int passed, int failed, int skipped) {

  /** No tests at all. */
  public static final Statistics EMPTY = new Statistics(0, 0, 0);

  public Statistics {
    if (passed < 0 || failed < 0 || skipped < 0) {
      throw new IllegalArgumentException(
          "statistics: passed="
              + passed
              + ", failed="
              + failed
              + ", skipped="
              + skipped
              + " (expected: >= 0)");
    }
  }

  /** Counts each status once. */
  public static Statistics of(Collection<Status> statuses) {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    for (Status status : statuses) {
      switch (status) {
        case PASSED -> passed++;
        case FAILED -> failed++;
        case SKIPPED -> skipped++;
      }
    }
    return new Statistics(passed, failed, skipped);
  }

  /** All counted tests. */
  public int total() {
    return passed + failed + skipped;
  }

  /** The count for one status. */
  public int count(Status status) {
    return switch (status) {
      case PASSED -> passed;
      case FAILED -> failed;
      case SKIPPED -> skipped;
    };
  }

  /**
   * Gateway API's profile result: {@code failure} when anything failed, {@code partial} when
   * something was skipped, otherwise {@code success}.
   */
  public String result() {
    if (failed > 0) {
      return "failure";
    }
    return skipped > 0 ? "partial" : "success";
  }
}
