package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.circuit.CircuitBreaker;
import dev.meshproof.runtime.policy.lb.LoadBalancedHost;
import dev.meshproof.runtime.policy.lb.LoadBalancer;
import dev.meshproof.runtime.policy.lb.LocalityWeights;
import dev.meshproof.runtime.policy.lb.OriginalDestination;
import dev.meshproof.runtime.policy.lb.PreviousPriorities;
import dev.meshproof.runtime.policy.lb.PriorityLoad;
import dev.meshproof.runtime.policy.outlier.AttemptResult;
import dev.meshproof.runtime.policy.outlier.HostSelection;
import dev.meshproof.runtime.policy.outlier.OutlierDetectionPolicy;
import dev.meshproof.runtime.policy.outlier.OutlierDetector;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.upstream.AttemptOutcome;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster's live state in one sidecar: its load balancer and hosts with their in-flight request
 * counts. Kept as it is by an xDS update that leaves its configuration unchanged, as Envoy's
 * cluster manager ignores a CDS update whose cluster hashes the same; rebuilt when its CDS resource
 * or its endpoints change, carrying over the balancer and host counters so an update neither resets
 * round robin nor forgets requests in flight.
 */
final class UpstreamCluster {
  final ClusterConfig config;
  final LoadBalancer loadBalancer;
  final List<UpstreamHost> hosts;
  final CircuitBreaker<UpstreamHost, Runnable> circuitBreaker;
  final Optional<OutlierDetector<UpstreamHost>> outlierDetector;
  private final Optional<ScheduledFuture<?>> intervalTimer;

  /**
   * An {@code ORIGINAL_DST} cluster's hosts, made on first use per destination and kept (Envoy
   * removes idle ones after its cleanup interval; keeping them changes no routing decision). Null
   * for any other cluster: each of N sidecars holds every cluster of the mesh, and an empty map per
   * cluster was 8 MiB of 500 sidecars' heap.
   */
  private final ConcurrentMap<InetSocketAddress, UpstreamHost> originalDestinations;

  private UpstreamCluster(
      ClusterConfig config,
      LoadBalancer loadBalancer,
      List<UpstreamHost> hosts,
      CircuitBreaker<UpstreamHost, Runnable> circuitBreaker,
      Optional<OutlierDetector<UpstreamHost>> outlierDetector,
      Optional<ScheduledFuture<?>> intervalTimer,
      ConcurrentMap<InetSocketAddress, UpstreamHost> originalDestinations) {
    this.config = config;
    this.originalDestinations = originalDestinations;
    this.loadBalancer = loadBalancer;
    this.hosts = List.copyOf(hosts);
    this.circuitBreaker = circuitBreaker;
    this.outlierDetector = outlierDetector;
    this.intervalTimer = intervalTimer;
    this.levels =
        config.localities().stream()
                .mapToInt(dev.meshproof.runtime.policy.lb.EndpointLocality::priority)
                .max()
                .orElse(0)
            + 1;
  }

  /**
   * The hosts the load balancer may pick: not ejected, unless the cluster is in panic ({@link
   * HostSelection}).
   */
  List<UpstreamHost> candidates(RequestHeaders request, RandomSource random) {
    return candidates(request, random, Optional.empty());
  }

  /**
   * As {@link #candidates(RequestHeaders, RandomSource)}, with a retry's priority load shaped by
   * its retry priority ({@code previous_priorities}) when it has one.
   */
  List<UpstreamHost> candidates(
      RequestHeaders request, RandomSource random, Optional<PreviousPriorities> retryPriority) {
    if (config.originalDestinationHeader().isPresent()) {
      // Envoy's OriginalDstCluster load balancer: the host the header names, else none (UH).
      return request
          .first(config.originalDestinationHeader().get())
          .flatMap(OriginalDestination::fromHeader)
          // Envoy's OriginalDstCluster applies upstream_port_override to the chosen address.
          .map(
              address ->
                  config.originalDestinationPort().isPresent()
                      ? new InetSocketAddress(
                          address.getAddress(), config.originalDestinationPort().getAsInt())
                      : address)
          .map(address -> List.of(originalDestinations.computeIfAbsent(address, UpstreamHost::new)))
          .orElse(List.of());
    }
    return candidates(random, retryPriority);
  }

  /**
   * The hosts the load balancer may pick: not ejected, unless the cluster is in panic ({@link
   * HostSelection}).
   */
  List<UpstreamHost> candidates() {
    return candidates(loadBalancer.random());
  }

  /**
   * The hosts the load balancer may pick, with EDS priorities (locality failover): first the
   * priority, drawn from {@code random} against Envoy's per-priority load ({@link PriorityLoad},
   * overprovisioning factor 1.4, hosts ejected by outlier detection counting as unhealthy); with
   * {@code locality_weighted_lb_config}, then one of that priority's localities by its weight
   * ({@link LocalityWeights}); then those hosts as without priorities. A cluster with one priority
   * and one locality draws nothing.
   */
  List<UpstreamHost> candidates(RandomSource random) {
    return candidates(random, Optional.empty());
  }

  private List<UpstreamHost> candidates(
      RandomSource random, Optional<PreviousPriorities> retryPriority) {
    if (levels == 1 && !config.localityWeighted()) {
      return healthyOrPanic(hosts);
    }
    List<Integer> level = new ArrayList<>();
    for (int i = 0; i < hosts.size(); i++) {
      level.add(i);
    }
    if (levels > 1) {
      int[] healthy = new int[levels];
      int[] total = new int[levels];
      for (int i = 0; i < hosts.size(); i++) {
        int p = config.locality(i).priority();
        total[p]++;
        if (isHealthy(hosts.get(i))) {
          healthy[p]++;
        }
      }
      int[] loads =
          PriorityLoad.loads(healthy, total, PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR);
      if (retryPriority.isPresent()) {
        loads =
            retryPriority
                .get()
                .priorityLoad(
                    PriorityLoad.health(
                        healthy, total, PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR),
                    loads,
                    this::priorityOf);
      }
      int chosen = PriorityLoad.pick(loads, random);
      level.removeIf(i -> config.locality(i).priority() != chosen);
    }
    if (config.localityWeighted()) {
      level = weightedLocality(level, random);
    }
    List<UpstreamHost> ofLevel = new ArrayList<>(level.size());
    level.forEach(i -> ofLevel.add(hosts.get(i)));
    return healthyOrPanic(ofLevel.size() == hosts.size() ? hosts : ofLevel);
  }

  /**
   * The priority of the host {@code host} names (its {@code toString}), if still in the cluster.
   */
  private java.util.OptionalInt priorityOf(String host) {
    for (int i = 0; i < hosts.size(); i++) {
      if (hosts.get(i).toString().equals(host)) {
        return java.util.OptionalInt.of(config.locality(i).priority());
      }
    }
    return java.util.OptionalInt.empty();
  }

  /** Of {@code candidates}, the ones not ejected, unless in panic ({@link HostSelection}). */
  private List<UpstreamHost> healthyOrPanic(List<UpstreamHost> candidates) {
    if (outlierDetector.isEmpty()) {
      return candidates;
    }
    OutlierDetector<UpstreamHost> detector = outlierDetector.get();
    return HostSelection.candidates(
        candidates, detector::isEjected, config.panicThresholdPercent());
  }

  private boolean isHealthy(UpstreamHost host) {
    return outlierDetector.isEmpty() || !outlierDetector.get().isEjected(host);
  }

  /** The hosts (indexes) of the locality drawn by weight among {@code level}'s localities. */
  private List<Integer> weightedLocality(List<Integer> level, RandomSource random) {
    java.util.TreeMap<Integer, List<Integer>> groups = new java.util.TreeMap<>();
    level.forEach(
        i -> groups.computeIfAbsent(config.locality(i).group(), g -> new ArrayList<>()).add(i));
    if (groups.size() <= 1) {
      return level;
    }
    List<List<Integer>> members = new ArrayList<>(groups.values());
    int[] weights = new int[members.size()];
    int[] healthy = new int[members.size()];
    int[] total = new int[members.size()];
    for (int g = 0; g < members.size(); g++) {
      weights[g] = config.locality(members.get(g).get(0)).weight();
      for (int i : members.get(g)) {
        total[g]++;
        if (isHealthy(hosts.get(i))) {
          healthy[g]++;
        }
      }
    }
    int picked =
        LocalityWeights.pick(
            LocalityWeights.effective(
                weights, healthy, total, PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR),
            random);
    // No locality with weight and a healthy host: Envoy falls back to the whole priority.
    return picked < 0 ? level : members.get(picked);
  }

  /** The number of EDS priorities (1 without locality failover). */
  private final int levels;

  /** Reports one attempt's result to the outlier detector, as Envoy's router does. */
  void recordResult(UpstreamHost host, FullHttpResponse response, Throwable error) {
    if (outlierDetector.isEmpty()) {
      return;
    }
    AttemptResult result;
    if (error == null) {
      result = new AttemptResult.HttpStatus(response.status().code());
    } else if (Router.failureKind(error) == AttemptOutcome.Failure.Kind.TIMEOUT) {
      result = new AttemptResult.Timeout();
    } else {
      result = new AttemptResult.ConnectFailed();
    }
    outlierDetector.get().recordResult(host, result);
  }

  /** The candidates the cached hash table was built over, and that table. */
  private volatile Object[] hashTable = {List.of(), null};

  /**
   * The host a consistent-hash cluster gives {@code hash} among {@code candidates}: the cluster's
   * ring or Maglev table over the candidates' addresses ({@code ip:port}, Envoy's host key),
   * rebuilt when the candidates change (an endpoint update or an ejection), as Envoy rebuilds its
   * table on a host set change.
   */
  UpstreamHost pickByHash(List<UpstreamHost> candidates, long hash) {
    Object[] cached = hashTable;
    @SuppressWarnings("unchecked")
    List<UpstreamHost> builtFor = (List<UpstreamHost>) cached[0];
    dev.meshproof.runtime.policy.lb.ConsistentHashLb.Table table =
        (dev.meshproof.runtime.policy.lb.ConsistentHashLb.Table) cached[1];
    if (table == null || !builtFor.equals(candidates)) {
      List<String> keys =
          candidates.stream()
              .map(h -> h.address.getAddress().getHostAddress() + ":" + h.address.getPort())
              .toList();
      table = config.consistentHash().orElseThrow().build(keys);
      hashTable = new Object[] {List.copyOf(candidates), table};
    }
    return candidates.get(table.hostFor(hash));
  }

  /** Stops this cluster's timers unless {@code next} carries them on. */
  void retire(UpstreamCluster next) {
    if (next == null || next.intervalTimer != intervalTimer) {
      intervalTimer.ifPresent(t -> t.cancel(false));
    }
  }

  /**
   * The state of {@code config}'s cluster after an update, given its state before ({@code null}: a
   * cluster this sidecar did not have). An unchanged configuration (the same CDS resource and the
   * same endpoints) keeps {@code previous} itself, with its balancer, hosts, circuit breaker,
   * outlier ejections, interval timer and consistent-hash table: Envoy's {@code
   * ClusterManagerImpl::addOrUpdateCluster} blocks the update of a cluster whose hash is unchanged,
   * so the cluster is neither drained nor warmed again. An update that leaves most clusters alone
   * (a route change, one service's endpoints) therefore costs the sidecar in proportion to what
   * changed.
   */
  static UpstreamCluster of(
      ClusterConfig config,
      UpstreamCluster previous,
      RandomSource random,
      Clock clock,
      ScheduledExecutorService scheduler) {
    if (previous != null && (previous.config == config || previous.config.equals(config))) {
      return previous;
    }
    LoadBalancer lb =
        previous != null
                && previous.loadBalancer.policy() == config.lbPolicy()
                && previous.loadBalancer.slowStart().equals(config.slowStart())
            ? previous.loadBalancer
            : LoadBalancer.create(
                config.lbPolicy(), random.fork("lb|" + config.name()), config.slowStart(), clock);
    // A host's slow-start window opens when this sidecar first sees it (Envoy stamps a host
    // without active health checks when its load balancer is told it was added).
    java.time.Instant now = clock.instant();
    List<UpstreamHost> hosts = new ArrayList<>();
    for (InetSocketAddress address : config.endpoints()) {
      UpstreamHost existing =
          previous == null
              ? null
              : previous.hosts.stream()
                  .filter(h -> h.address.equals(address))
                  .findFirst()
                  .orElse(null);
      hosts.add(existing != null ? existing : new UpstreamHost(address, now));
    }
    CircuitBreaker<UpstreamHost, Runnable> breaker =
        previous != null && previous.config.circuitBreakers().equals(config.circuitBreakers())
            ? previous.circuitBreaker
            : new CircuitBreaker<>(config.circuitBreakers());
    Optional<OutlierDetector<UpstreamHost>> detector = Optional.empty();
    Optional<ScheduledFuture<?>> timer = Optional.empty();
    if (config.outlierDetection().isPresent()) {
      OutlierDetectionPolicy policy = config.outlierDetection().get();
      if (previous != null
          && previous.outlierDetector.isPresent()
          && previous.outlierDetector.get().policy().equals(policy)) {
        detector = previous.outlierDetector;
        timer = previous.intervalTimer;
      } else {
        OutlierDetector<UpstreamHost> created =
            new OutlierDetector<>(policy, clock, random.fork("outlier|" + config.name()));
        detector = Optional.of(created);
        long interval = policy.interval().toNanos();
        timer =
            Optional.of(
                scheduler.scheduleAtFixedRate(
                    created::onInterval, interval, interval, TimeUnit.NANOSECONDS));
      }
      detector.get().setHosts(hosts);
    }
    ConcurrentMap<InetSocketAddress, UpstreamHost> originalDestinations =
        config.originalDestinationHeader().isEmpty()
            ? null
            : previous != null && previous.originalDestinations != null
                ? previous.originalDestinations
                : new java.util.concurrent.ConcurrentHashMap<>();
    return new UpstreamCluster(config, lb, hosts, breaker, detector, timer, originalDestinations);
  }

  /** One upstream endpoint and the number of requests this sidecar has in flight to it. */
  static final class UpstreamHost implements LoadBalancedHost {
    final InetSocketAddress address;
    final AtomicInteger active = new AtomicInteger();

    /** Requests sent to this host since it appeared, as Envoy's per-host {@code rq_total}. */
    final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();

    /** When this sidecar first saw the host in its cluster (its slow-start window's start). */
    private final java.time.Instant addedAt;

    UpstreamHost(InetSocketAddress address) {
      this(address, java.time.Instant.EPOCH);
    }

    UpstreamHost(InetSocketAddress address, java.time.Instant addedAt) {
      this.address = address;
      this.addedAt = addedAt;
    }

    @Override
    public int activeRequests() {
      return active.get();
    }

    @Override
    public java.time.Instant addedAt() {
      return addedAt;
    }

    @Override
    public String toString() {
      return address.getHostString() + ":" + address.getPort();
    }
  }
}
