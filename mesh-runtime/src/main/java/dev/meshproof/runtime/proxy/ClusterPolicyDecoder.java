package dev.meshproof.runtime.proxy;

import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.policy.circuit.CircuitBreakerThresholds;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import java.time.Duration;

/**
 * Decodes a cluster's {@code circuit_breakers} and {@code outlier_detection} into policy values,
 * NACKing what the sidecar does not honour (more than one threshold, retry budgets, per-host
 * limits, success-rate or failure-percentage ejection that would be enforced, ejection jitter).
 */
final class ClusterPolicyDecoder {
  private ClusterPolicyDecoder() {}

  static CircuitBreakerThresholds circuitBreakers(CircuitBreakers breakers, String where) {
    if (breakers.getPerHostThresholdsCount() > 0) {
      throw new IllegalArgumentException(
          where + ": circuit_breakers.per_host_thresholds are not supported");
    }
    if (breakers.getThresholdsCount() == 0) {
      return CircuitBreakerThresholds.ENVOY_DEFAULTS;
    }
    if (breakers.getThresholdsCount() > 1
        || breakers.getThresholds(0).getPriority() != RoutingPriority.DEFAULT) {
      throw new IllegalArgumentException(
          where + ": circuit_breakers: only one threshold at priority DEFAULT is supported");
    }
    CircuitBreakers.Thresholds t = breakers.getThresholds(0);
    if (t.hasRetryBudget() || t.hasMaxConnectionPools()) {
      throw new IllegalArgumentException(
          where + ": circuit_breakers retry_budget and max_connection_pools are not supported");
    }
    CircuitBreakerThresholds d = CircuitBreakerThresholds.ENVOY_DEFAULTS;
    return new CircuitBreakerThresholds(
        t.hasMaxConnections() ? unsigned(t.getMaxConnections()) : d.maxConnections(),
        t.hasMaxPendingRequests() ? unsigned(t.getMaxPendingRequests()) : d.maxPendingRequests(),
        t.hasMaxRequests() ? unsigned(t.getMaxRequests()) : d.maxRequests(),
        t.hasMaxRetries() ? unsigned(t.getMaxRetries()) : d.maxRetries(),
        t.getTrackRemaining());
  }

  static OutlierDetectionPolicy outlierDetection(OutlierDetection o, String where) {
    OutlierDetectionPolicy d = OutlierDetectionPolicy.ENVOY_DEFAULTS;
    // Envoy enforces success-rate ejection at 100 % unless told otherwise; Istio says 0.
    requireZero(
        o.hasEnforcingSuccessRate(),
        o.getEnforcingSuccessRate(),
        100,
        "enforcing_success_rate",
        where);
    requireZero(
        o.hasEnforcingFailurePercentage(),
        o.getEnforcingFailurePercentage(),
        0,
        "enforcing_failure_percentage",
        where);
    requireZero(
        o.hasEnforcingFailurePercentageLocalOrigin(),
        o.getEnforcingFailurePercentageLocalOrigin(),
        0,
        "enforcing_failure_percentage_local_origin",
        where);
    if (o.getSplitExternalLocalOriginErrors()) {
      requireZero(
          o.hasEnforcingLocalOriginSuccessRate(),
          o.getEnforcingLocalOriginSuccessRate(),
          100,
          "enforcing_local_origin_success_rate",
          where);
    }
    if (o.hasMaxEjectionTimeJitter()
        && !o.getMaxEjectionTimeJitter()
            .equals(com.google.protobuf.Duration.getDefaultInstance())) {
      throw new IllegalArgumentException(
          where + ": outlier_detection.max_ejection_time_jitter is not supported");
    }
    if (o.getMonitorsCount() > 0 || o.hasSuccessfulActiveHealthCheckUnejectHost()) {
      throw new IllegalArgumentException(
          where + ": outlier_detection monitors and active health checks are not supported");
    }
    Duration base =
        o.hasBaseEjectionTime() ? duration(o.getBaseEjectionTime()) : d.baseEjectionTime();
    Duration max =
        o.hasMaxEjectionTime()
            ? duration(o.getMaxEjectionTime())
            : (base.compareTo(d.maxEjectionTime()) > 0 ? base : d.maxEjectionTime());
    try {
      return new OutlierDetectionPolicy(
          value(o.hasConsecutive5Xx(), o.getConsecutive5Xx(), d.consecutive5xx()),
          value(
              o.hasEnforcingConsecutive5Xx(),
              o.getEnforcingConsecutive5Xx(),
              d.enforcingConsecutive5xx()),
          value(
              o.hasConsecutiveGatewayFailure(),
              o.getConsecutiveGatewayFailure(),
              d.consecutiveGatewayFailure()),
          value(
              o.hasEnforcingConsecutiveGatewayFailure(),
              o.getEnforcingConsecutiveGatewayFailure(),
              d.enforcingConsecutiveGatewayFailure()),
          o.getSplitExternalLocalOriginErrors(),
          value(
              o.hasConsecutiveLocalOriginFailure(),
              o.getConsecutiveLocalOriginFailure(),
              d.consecutiveLocalOriginFailure()),
          value(
              o.hasEnforcingConsecutiveLocalOriginFailure(),
              o.getEnforcingConsecutiveLocalOriginFailure(),
              d.enforcingConsecutiveLocalOriginFailure()),
          o.hasInterval() ? duration(o.getInterval()) : d.interval(),
          base,
          max,
          value(o.hasMaxEjectionPercent(), o.getMaxEjectionPercent(), d.maxEjectionPercent()),
          o.hasAlwaysEjectOneHost() && o.getAlwaysEjectOneHost().getValue());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": outlier_detection: " + e.getMessage(), e);
    }
  }

  private static void requireZero(
      boolean has, UInt32Value value, int envoyDefault, String field, String where) {
    int effective = has ? value.getValue() : envoyDefault;
    if (effective != 0) {
      throw new IllegalArgumentException(
          where
              + ": outlier_detection."
              + field
              + " "
              + effective
              + (has ? "" : " (Envoy's default)")
              + " is not supported (expected: 0; the embedded sidecar does not eject by success"
              + " rate or failure percentage)");
    }
  }

  private static int value(boolean has, UInt32Value value, int envoyDefault) {
    return has ? value.getValue() : envoyDefault;
  }

  private static long unsigned(UInt32Value value) {
    return Integer.toUnsignedLong(value.getValue());
  }

  private static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
