package dev.meshproof.scenario.load;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one {@link LoadPhase}: every issued request is in exactly one of {@code ok} (2xx),
 * {@code errorStatus} (any other status), {@code connectionErrors} (refused, reset, closed before
 * the answer) or {@code timeouts}; {@code latencies} holds, in microseconds, the latency of every
 * answered request (ok and error status), measured from its intended start time in open loop.
 */
public record LoadResult(
    LoadPhase phase,
    Histogram latencies,
    long issued,
    long ok,
    long errorStatus,
    long connectionErrors,
    long timeouts,
    Duration elapsed,
    Duration maxSendLag,
    /** Open loop: requests sent more than {@link #LATE_SEND} after their intended start. */
    long lateSends) {

  /**
   * How late an open-loop send may be and still count as on time: a request sent later carries more
   * than this of the generator's own delay in its latency (which is measured from the intended
   * start).
   */
  public static final Duration LATE_SEND = Duration.ofMillis(1);

  /** The share of the issued requests sent late ({@link #lateSends}); 0 when none was issued. */
  public double lateShare() {
    return issued == 0 ? 0 : (double) lateSends / issued;
  }

  /** True when the four outcomes add up to the issued requests. */
  public boolean everyRequestAccountedFor() {
    return ok + errorStatus + connectionErrors + timeouts == issued
        && latencies.getTotalCount() == ok + errorStatus;
  }

  /** Successful requests per second over the phase's elapsed time. */
  public double okPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : ok / seconds;
  }

  /** The latency at {@code percentile} (0-100) in microseconds. */
  public long micros(double percentile) {
    return latencies.getValueAtPercentile(percentile);
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "%s: issued=%d ok=%d errorStatus=%d connectionErrors=%d timeouts=%d %.0f ok/s"
            + " p50=%dus p90=%dus p99=%dus max=%dus",
        phase.describe(),
        issued,
        ok,
        errorStatus,
        connectionErrors,
        timeouts,
        okPerSecond(),
        micros(50),
        micros(90),
        micros(99),
        latencies.getMaxValue());
  }
}
