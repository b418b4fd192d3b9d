package dev.meshproof.runtime.policy.lb;

import java.time.Instant;

/**
 * What a load balancer may know of a host: how many requests are in flight to it right now, and
 * since when it is in the cluster.
 */
public interface LoadBalancedHost {
  int activeRequests();

  /**
   * When this sidecar first saw the host in its cluster: the start of its slow-start window ({@link
   * SlowStart}). A host without a known addition (the default) is long past any window.
   */
  default Instant addedAt() {
    return Instant.EPOCH;
  }
}
