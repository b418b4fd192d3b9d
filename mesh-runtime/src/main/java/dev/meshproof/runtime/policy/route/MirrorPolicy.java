package dev.meshproof.runtime.policy.route;

/**
 * Envoy's {@code RequestMirrorPolicy} (Istio's {@code mirror} and {@code mirrorPercentage}): a copy
 * of a fraction of requests sent to another cluster, its response ignored.
 */
public record MirrorPolicy(String cluster, double fraction) {
  public MirrorPolicy {
    if (cluster.isEmpty()) {
      throw new IllegalArgumentException("cluster: '' (expected: a cluster name)");
    }
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0.0..1.0)");
    }
  }
}
