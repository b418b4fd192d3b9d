package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.lb.LoadBalancedHost;
import dev.meshproof.runtime.policy.lb.LoadBalancer;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's live state in one sidecar: its load balancer and hosts with their in-flight request
 * counts. Rebuilt on each EDS/CDS update, carrying over the balancer and host counters so an update
 * neither resets round robin nor forgets requests in flight.
 */
final class UpstreamCluster {
  final ClusterConfig config;
  final LoadBalancer loadBalancer;
  final List<UpstreamHost> hosts;

  private UpstreamCluster(
      ClusterConfig config, LoadBalancer loadBalancer, List<UpstreamHost> hosts) {
    this.config = config;
    this.loadBalancer = loadBalancer;
    this.hosts = List.copyOf(hosts);
  }

  static UpstreamCluster of(ClusterConfig config, UpstreamCluster previous, RandomSource random) {
    LoadBalancer lb =
        previous != null && previous.loadBalancer.policy() == config.lbPolicy()
            ? previous.loadBalancer
            : LoadBalancer.create(config.lbPolicy(), random.fork("lb|" + config.name()));
    List<UpstreamHost> hosts = new ArrayList<>();
    for (InetSocketAddress address : config.endpoints()) {
      UpstreamHost existing =
          previous == null
              ? null
              : previous.hosts.stream()
                  .filter(h -> h.address.equals(address))
                  .findFirst()
                  .orElse(null);
      hosts.add(existing != null ? existing : new UpstreamHost(address));
    }
    return new UpstreamCluster(config, lb, hosts);
  }

  /** One upstream endpoint and the number of requests this sidecar has in flight to it. */
  static final class UpstreamHost implements LoadBalancedHost {
    final InetSocketAddress address;
    final AtomicInteger active = new AtomicInteger();

    /** Requests sent to this host since it appeared, as Envoy's per-host {@code rq_total}. */
    final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();

    UpstreamHost(InetSocketAddress address) {
      this.address = address;
    }

    @Override
    public int activeRequests() {
      return active.get();
    }

    @Override
    public String toString() {
      return address.getHostString() + ":" + address.getPort();
    }
  }
}
