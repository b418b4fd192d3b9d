package dev.meshproof.runtime.policy.outlier;

import java.time.Duration;

/**
 * The parts of Envoy's {@code cluster.outlier_detection} the sidecar honours (<a
 * href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/outlier_detection.proto">outlier_detection.proto</a>):
 * the consecutive-error detectors with their enforcement percentages, the interval, ejection times
 * and the ejection cap. Success-rate and failure-percentage detection are not enforced (Istio sets
 * {@code enforcing_success_rate: 0}); the decoder rejects a config that would enforce them.
 *
 * @param consecutive5xx 5xx responses (and local-origin errors when not split) in a row
 * @param enforcingConsecutive5xx percent chance an ejection by consecutive 5xx is enforced
 * @param consecutiveGatewayFailure 502/503/504 in a row
 * @param enforcingConsecutiveGatewayFailure percent for gateway failures (Envoy default 0)
 * @param splitExternalLocalOriginErrors whether local-origin errors have their own counter
 * @param consecutiveLocalOriginFailure connect failures/timeouts in a row, when split
 * @param enforcingConsecutiveLocalOriginFailure percent for local-origin failures
 * @param interval how often ejected hosts are checked for return
 * @param baseEjectionTime ejection time per ejection so far
 * @param maxEjectionTime cap of the ejection time
 * @param maxEjectionPercent most hosts, in percent, that may be ejected at once
 * @param alwaysEjectOneHost eject one host even if the percentage forbids it
 */
public record OutlierDetectionPolicy(
    int consecutive5xx,
    int enforcingConsecutive5xx,
    int consecutiveGatewayFailure,
    int enforcingConsecutiveGatewayFailure,
    boolean splitExternalLocalOriginErrors,
    int consecutiveLocalOriginFailure,
    int enforcingConsecutiveLocalOriginFailure,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    int maxEjectionPercent,
    boolean alwaysEjectOneHost) {

  /** Envoy's defaults for every field an {@code outlier_detection} message leaves unset. */
  public static final OutlierDetectionPolicy ENVOY_DEFAULTS =
      new OutlierDetectionPolicy(
          5,
          100,
          5,
          0,
          false,
          5,
          100,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(300),
          10,
          false);

  public OutlierDetectionPolicy {
    percent("enforcingConsecutive5xx", enforcingConsecutive5xx);
    percent("enforcingConsecutiveGatewayFailure", enforcingConsecutiveGatewayFailure);
    percent("enforcingConsecutiveLocalOriginFailure", enforcingConsecutiveLocalOriginFailure);
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    if (baseEjectionTime.isNegative() || baseEjectionTime.isZero()) {
      throw new IllegalArgumentException(
          "baseEjectionTime: " + baseEjectionTime + " (expected: > 0)");
    }
    if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
      // Envoy refuses the cluster with the same words.
      throw new IllegalArgumentException(
          "maxEjectionTime: "
              + maxEjectionTime
              + " (expected: not smaller than base_ejection_time "
              + baseEjectionTime
              + ")");
    }
    if (maxEjectionPercent < 0) {
      throw new IllegalArgumentException(
          "maxEjectionPercent: " + maxEjectionPercent + " (expected: >= 0)");
    }
  }

  private static void percent(String field, int value) {
    if (value < 0 || value > 100) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: 0 to 100)");
    }
  }
}
