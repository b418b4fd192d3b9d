package dev.meshproof.runtime.policy.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * The two timers of an Envoy request: the route timeout, from the start of the request over all
 * attempts and back-offs (when it fires the request ends 504 UT and the attempt in flight is
 * reset), and the per-try timeout of each attempt (when it fires that attempt fails as a timeout,
 * which the retry policy may retry). As in Envoy's {@code FilterUtility::finalTimeout}, a per-try
 * timeout at or above a non-zero route timeout is dropped: the route timeout fires first.
 *
 * @param route the route timeout; {@link Duration#ZERO} disables it (Istio's default)
 * @param perTry the per-try timeout, if the retry policy sets one
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts#route-timeouts">Envoy
 *     route timeouts</a>
 */
public record RequestTimeouts(Duration route, Optional<Duration> perTry) {
  public RequestTimeouts {
    if (route.isNegative()) {
      throw new IllegalArgumentException("route: " + route + " (expected: >= 0s, 0s = disabled)");
    }
    if (perTry.isPresent() && (perTry.get().isNegative() || perTry.get().isZero())) {
      throw new IllegalArgumentException("perTry: " + perTry.get() + " (expected: > 0s)");
    }
    if (perTry.isPresent() && !route.isZero() && perTry.get().compareTo(route) >= 0) {
      perTry = Optional.empty();
    }
  }

  /** The route timer to arm at the request's start; empty when the route timeout is disabled. */
  public Optional<Duration> routeTimer() {
    return route.isZero() ? Optional.empty() : Optional.of(route);
  }

  /** Whether the route timeout has passed {@code elapsed} after the request's start. */
  public boolean routeTimedOut(Duration elapsed) {
    return !route.isZero() && elapsed.compareTo(route) >= 0;
  }
}
