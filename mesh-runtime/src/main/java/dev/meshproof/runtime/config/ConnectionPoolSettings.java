package dev.meshproof.runtime.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A DestinationRule's <a
 * href="https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings">{@code
 * connectionPool}</a>, the fields Meshproof implements. Unset and zero both mean "Istio's default"
 * (istiod overrides a threshold only when the value is above zero). {@code idleTimeout} is {@code
 * http.idleTimeout}, else {@code tcp.idleTimeout}, as istiod's {@code applyConnectionPool} picks
 * it.
 */
public record ConnectionPoolSettings(
    OptionalInt maxConnections,
    Optional<Duration> connectTimeout,
    OptionalInt http1MaxPendingRequests,
    OptionalInt http2MaxRequests,
    OptionalInt maxRetries,
    OptionalInt maxRequestsPerConnection,
    Optional<Duration> idleTimeout,
    Optional<Duration> maxConnectionDuration) {

  /** The thresholds only: no connect timeout, no per-connection limits. */
  public ConnectionPoolSettings(
      OptionalInt maxConnections,
      Optional<Duration> connectTimeout,
      OptionalInt http1MaxPendingRequests,
      OptionalInt http2MaxRequests,
      OptionalInt maxRetries) {
    this(
        maxConnections,
        connectTimeout,
        http1MaxPendingRequests,
        http2MaxRequests,
        maxRetries,
        OptionalInt.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
