package dev.meshproof.runtime.policy.lb;

/** What a load balancer may know of a host: how many requests are in flight to it right now. */
public interface LoadBalancedHost {
  int activeRequests();
}
