package dev.meshproof.runtime.policy.lb;

/**
 * The load-balancing algorithms of Istio's {@code
 * DestinationRule.trafficPolicy.loadBalancer.simple}, mapped onto Envoy's {@code Cluster.LbPolicy}.
 */
public enum LbPolicy {
  ROUND_ROBIN,
  /** Envoy's least request with the default choice count of 2 (power of two choices). */
  LEAST_REQUEST,
  RANDOM
}
