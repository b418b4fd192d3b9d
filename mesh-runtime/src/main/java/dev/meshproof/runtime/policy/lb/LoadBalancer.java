package dev.meshproof.runtime.policy.lb;

import dev.meshproof.common.RandomSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the upstream host of a cluster for one request. One instance per cluster per proxy, as
 * Envoy keeps one load balancer per cluster per worker; its state (round-robin position) survives
 * endpoint updates.
 */
public sealed interface LoadBalancer {

  /** Picks one of {@code hosts}, which must not be empty. */
  <H extends LoadBalancedHost> H pickHost(List<H> hosts);

  LbPolicy policy();

  static LoadBalancer create(LbPolicy policy, RandomSource random) {
    return switch (policy) {
      case ROUND_ROBIN -> new RoundRobin();
      case LEAST_REQUEST -> new LeastRequest(random);
      case RANDOM -> new Random(random);
    };
  }

  /** Cycles through hosts in order. */
  final class RoundRobin implements LoadBalancer {
    private final AtomicLong next = new AtomicLong();

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts) {
      return hosts.get((int) Math.floorMod(next.getAndIncrement(), (long) hosts.size()));
    }

    @Override
    public LbPolicy policy() {
      return LbPolicy.ROUND_ROBIN;
    }
  }

  /**
   * Envoy's unweighted least-request balancer: draw two hosts at random (with replacement, as Envoy
   * does) and take the one with fewer active requests; the first drawn wins a tie.
   */
  final class LeastRequest implements LoadBalancer {
    private final RandomSource random;

    LeastRequest(RandomSource random) {
      this.random = random;
    }

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts) {
      H first = hosts.get((int) random.nextLong(hosts.size()));
      H second = hosts.get((int) random.nextLong(hosts.size()));
      return second.activeRequests() < first.activeRequests() ? second : first;
    }

    @Override
    public LbPolicy policy() {
      return LbPolicy.LEAST_REQUEST;
    }
  }

  /** Picks a host uniformly at random. */
  final class Random implements LoadBalancer {
    private final RandomSource random;

    Random(RandomSource random) {
      this.random = random;
    }

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts) {
      return hosts.get((int) random.nextLong(hosts.size()));
    }

    @Override
    public LbPolicy policy() {
      return LbPolicy.RANDOM;
    }
  }
}
