package dev.meshproof.runtime.policy.circuit;

/**
 * A cluster's resource limits, Envoy's {@code circuit_breakers.thresholds} at priority DEFAULT (<a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking">Envoy
 * circuit breaking</a>). Istio always emits all four, at {@link #UNLIMITED} unless a
 * DestinationRule's {@code connectionPool} sets one (istiod {@code cluster_traffic_policy.go
 * applyConnectionPool}, see notes/istiod-defaults.md section 3).
 *
 * @param maxConnections connections to all hosts of the cluster
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests requests in flight
 * @param maxRetries retries in flight
 * @param trackRemaining whether Envoy publishes the {@code remaining_*} gauges (stats only)
 */
public record CircuitBreakerThresholds(
    long maxConnections,
    long maxPendingRequests,
    long maxRequests,
    long maxRetries,
    boolean trackRemaining) {

  /** {@code math.MaxUint32}, istiod's "no limit". */
  public static final long UNLIMITED = 4294967295L;

  /** Envoy's defaults when a cluster has no {@code circuit_breakers}: 1024, 1024, 1024, 3. */
  public static final CircuitBreakerThresholds ENVOY_DEFAULTS =
      new CircuitBreakerThresholds(1024, 1024, 1024, 3, false);

  public CircuitBreakerThresholds {
    check("maxConnections", maxConnections);
    check("maxPendingRequests", maxPendingRequests);
    check("maxRequests", maxRequests);
    check("maxRetries", maxRetries);
  }

  private static void check(String field, long value) {
    if (value < 0 || value > UNLIMITED) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: 0 to " + UNLIMITED + ")");
    }
  }
}
