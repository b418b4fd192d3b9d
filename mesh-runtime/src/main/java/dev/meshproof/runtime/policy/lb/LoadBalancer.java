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

  /** Picks one of {@code hosts}, which must not be empty, drawing from the balancer's source. */
  default <H extends LoadBalancedHost> H pickHost(List<H> hosts) {
    return pickHost(hosts, random());
  }

  /**
   * Picks one of {@code hosts} drawing from {@code random}, the request's own source, so that a
   * request's pick does not depend on how many requests picked before it. Round robin draws
   * nothing, and least request also reads the hosts' active counts: those stay order-dependent.
   */
  <H extends LoadBalancedHost> H pickHost(List<H> hosts, RandomSource random);

  /** The source {@link #pickHost(List)} draws from: this cluster's own stream. */
  RandomSource random();

  LbPolicy policy();

  /** Round robin's source: it never draws. */
  RandomSource NO_DRAWS = RandomSource.pinned(0, 0);

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
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts, RandomSource random) {
      return hosts.get((int) Math.floorMod(next.getAndIncrement(), (long) hosts.size()));
    }

    @Override
    public RandomSource random() {
      return NO_DRAWS;
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
    public RandomSource random() {
      return random;
    }

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts, RandomSource random) {
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
    public RandomSource random() {
      return random;
    }

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts, RandomSource random) {
      return hosts.get((int) random.nextLong(hosts.size()));
    }

    @Override
    public LbPolicy policy() {
      return LbPolicy.RANDOM;
    }
  }
}
