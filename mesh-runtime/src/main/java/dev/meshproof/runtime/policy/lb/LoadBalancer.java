package dev.meshproof.runtime.policy.lb;

import dev.meshproof.common.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
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

  /** The slow start (Istio's warmup) this balancer applies; empty: none. */
  default Optional<SlowStart> slowStart() {
    return Optional.empty();
  }

  /** Round robin's source: it never draws. */
  RandomSource NO_DRAWS = RandomSource.pinned(0, 0);

  static LoadBalancer create(LbPolicy policy, RandomSource random) {
    return switch (policy) {
      case ROUND_ROBIN -> new RoundRobin();
      case LEAST_REQUEST -> new LeastRequest(random);
      case RANDOM -> new Random(random);
    };
  }

  /**
   * As {@link #create(LbPolicy, RandomSource)}, with {@code slowStart} applied when present and the
   * policy is round robin or least request (the two Envoy balancers with a {@code
   * slow_start_config}; istiod emits it for no other), the hosts' ages read from {@code clock}.
   */
  static LoadBalancer create(
      LbPolicy policy, RandomSource random, Optional<SlowStart> slowStart, Clock clock) {
    LoadBalancer base = create(policy, random);
    if (slowStart.isEmpty() || policy == LbPolicy.RANDOM) {
      return base;
    }
    return new WarmingUp(base, slowStart.get(), clock);
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

  /**
   * Round robin or least request with Envoy's slow start ({@code EdfLoadBalancerBase}, {@code
   * RoundRobinLoadBalancer} and {@code LeastRequestLoadBalancer}, source/extensions/
   * load_balancing_policies/): while any host of the pick is inside its window ({@link
   * LoadBalancedHost#addedAt()}, when this sidecar first saw it, as Envoy's {@code
   * recalculateHostsInSlowStart} stamps a host without active health checks when it is added), the
   * host is chosen by Envoy's earliest-deadline-first scheduler ({@code EdfScheduler}: each host's
   * next deadline is the current time plus {@code 1 / weight}, the earliest is picked, ties by
   * insertion order, and a picked host is re-added with its weight of that moment); the weight is
   * the slow-start factor ({@link SlowStart#factor}), for least request divided by {@code active
   * requests + 1} (Envoy's default {@code active_request_bias} 1.0). The scheduler is rebuilt when
   * the hosts change, as Envoy's {@code refresh}, and only while some host is in its window (else,
   * or with a single host, the plain balancer picks); as Envoy's, it is kept after the last window
   * ends until the hosts change, each host's last weight standing until it is next picked (measured
   * on Envoy 1.40: 58 to 52 over the first 110 picks after the window). A deliberate difference:
   * Envoy starts a new scheduler at a seeded offset, this one at its first host (only the order
   * inside a round differs, not the shares).
   */
  final class WarmingUp implements LoadBalancer {
    private final LoadBalancer base;
    private final SlowStart slowStart;
    private final Clock clock;

    /** The hosts the scheduler was built over. */
    private List<? extends LoadBalancedHost> scheduledHosts = List.of();

    private final PriorityQueue<Entry> schedule =
        new PriorityQueue<>(
            (a, b) ->
                a.deadline != b.deadline
                    ? Double.compare(a.deadline, b.deadline)
                    : Long.compare(a.order, b.order));
    private double currentTime;
    private long order;

    private record Entry(double deadline, long order, int index) {}

    WarmingUp(LoadBalancer base, SlowStart slowStart, Clock clock) {
      this.base = base;
      this.slowStart = slowStart;
      this.clock = clock;
    }

    @Override
    public <H extends LoadBalancedHost> H pickHost(List<H> hosts, RandomSource random) {
      if (hosts.size() <= 1) {
        return base.pickHost(hosts, random);
      }
      Instant now = clock.instant();
      synchronized (this) {
        if (!scheduledHosts.equals(hosts)) {
          // Envoy's refresh: a scheduler only while some host is in its window.
          boolean anyWarming = false;
          for (H host : hosts) {
            if (slowStart.inWindow(Duration.between(host.addedAt(), now))) {
              anyWarming = true;
              break;
            }
          }
          if (!anyWarming) {
            scheduledHosts = List.of();
            schedule.clear();
            return base.pickHost(hosts, random);
          }
          schedule.clear();
          currentTime = 0;
          order = 0;
          for (int i = 0; i < hosts.size(); i++) {
            schedule.add(new Entry(1.0 / weight(hosts.get(i), now), order++, i));
          }
          scheduledHosts = new ArrayList<>(hosts);
        }
        Entry top = schedule.poll();
        currentTime = top.deadline();
        H picked = hosts.get(top.index());
        schedule.add(new Entry(currentTime + 1.0 / weight(picked, now), order++, top.index()));
        return picked;
      }
    }

    /** Envoy's {@code hostWeight}: the slow-start factor, over active requests + 1 for LR. */
    private double weight(LoadBalancedHost host, Instant now) {
      double weight =
          base.policy() == LbPolicy.LEAST_REQUEST ? 1.0 / (host.activeRequests() + 1) : 1.0;
      return weight * slowStart.factor(Duration.between(host.addedAt(), now));
    }

    @Override
    public RandomSource random() {
      return base.random();
    }

    @Override
    public LbPolicy policy() {
      return base.policy();
    }

    @Override
    public Optional<SlowStart> slowStart() {
      return Optional.of(slowStart);
    }
  }
}
