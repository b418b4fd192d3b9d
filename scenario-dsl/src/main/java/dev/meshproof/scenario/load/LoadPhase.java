package dev.meshproof.scenario.load;

import java.time.Duration;
import java.util.Objects;

/**
 * One bounded stretch of load: open loop at a fixed rate, or closed loop as fast as responses come
 * back. It always ends by itself: after {@code duration} no new request is started, after at most
 * {@code maxRequests} requests, and requests still unanswered {@code requestTimeout} after the end
 * are counted as timeouts.
 *
 * <p>Open loop follows wrk2: request {@code i} has the intended start time {@code start + i/rate}
 * and its latency is measured from that intended time, so a stalled server is charged for the
 * requests that should have been sent while it stalled (no coordinated omission).
 */
public record LoadPhase(
    Kind kind, double ratePerSecond, Duration duration, long maxRequests, Duration requestTimeout) {

  /** Open loop (fixed arrival rate) or closed loop (one request in flight per connection). */
  public enum Kind {
    OPEN_LOOP,
    CLOSED_LOOP
  }

  public LoadPhase {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.OPEN_LOOP && !(ratePerSecond > 0 && ratePerSecond <= 1_000_000)) {
      throw new IllegalArgumentException(
          "ratePerSecond: " + ratePerSecond + " (expected: 0 < rate <= 1000000)");
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (maxRequests < 1) {
      throw new IllegalArgumentException("maxRequests: " + maxRequests + " (expected: >= 1)");
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
    }
  }

  /** Open loop at {@code ratePerSecond} for {@code duration}; 10 s request timeout. */
  public static LoadPhase openLoop(double ratePerSecond, Duration duration) {
    long planned = (long) Math.ceil(ratePerSecond * duration.toNanos() / 1e9);
    return new LoadPhase(
        Kind.OPEN_LOOP, ratePerSecond, duration, Math.max(1, planned), Duration.ofSeconds(10));
  }

  /** Closed loop for {@code duration} (at most 100 million requests); 10 s request timeout. */
  public static LoadPhase closedLoop(Duration duration) {
    return new LoadPhase(Kind.CLOSED_LOOP, 0, duration, 100_000_000L, Duration.ofSeconds(10));
  }

  /** The same phase stopping after {@code max} requests. */
  public LoadPhase withMaxRequests(long max) {
    return new LoadPhase(kind, ratePerSecond, duration, max, requestTimeout);
  }

  /** The same phase with another per-request timeout. */
  public LoadPhase withRequestTimeout(Duration timeout) {
    return new LoadPhase(kind, ratePerSecond, duration, maxRequests, timeout);
  }

  /** The requests an open-loop phase intends to send: {@code min(maxRequests, rate * duration)}. */
  long plannedRequests() {
    if (kind == Kind.CLOSED_LOOP) {
      return maxRequests;
    }
    return Math.min(maxRequests, (long) Math.ceil(ratePerSecond * duration.toNanos() / 1e9));
  }

  /** Short description for reports, e.g. {@code open loop 1000 rps, 15s}. */
  public String describe() {
    String seconds =
        duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toString();
    return kind == Kind.OPEN_LOOP
        ? String.format(java.util.Locale.ROOT, "open loop %.0f rps, %s", ratePerSecond, seconds)
        : "closed loop, " + seconds;
  }
}
