package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.registry.ServiceRegistry;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's control plane: holds the registered proxies, translates config and registry into a
 * per-proxy snapshot ({@link XdsTranslator}) with the defaults of its Istio release ({@link
 * IstioVersionProfile}), and serves it over ADS (java-control-plane's {@link V3DiscoveryServer} on
 * a {@link SimpleCache} keyed by node id) on a loopback port. ACKs and NACKs are tracked per proxy
 * and type, as {@code istioctl proxy-status} reports them.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  /** How long a push may stay undelivered before it is sent again (see resendUndelivered). */
  private static final Duration RESEND_AFTER = Duration.ofSeconds(2);

  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private final XdsStatusTracker tracker = new XdsStatusTracker();
  private final Map<String, ProxyNode> proxies = new ConcurrentHashMap<>();
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final IstioVersionProfile profile;
  private final OutboundTrafficPolicy outboundTrafficPolicy;
  private final ExecutorService executor;
  private final Server server;
  private volatile InetSocketAddress boundAddress;

  private ControlPlane(
      InetSocketAddress address,
      IstioVersionProfile profile,
      OutboundTrafficPolicy outboundTrafficPolicy) {
    this.profile = java.util.Objects.requireNonNull(profile, "profile");
    this.outboundTrafficPolicy =
        java.util.Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "meshproof-xds-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    V3DiscoveryServer discovery = new V3DiscoveryServer(tracker, cache);
    this.server =
        NettyServerBuilder.forAddress(address)
            .executor(executor)
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build();
  }

  /**
   * Starts the ADS server on 127.0.0.1 on an ephemeral port, translating with the defaults of
   * {@code profile}'s Istio release.
   */
  public static ControlPlane start(IstioVersionProfile profile) {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), profile);
  }

  /**
   * Starts the ADS server on {@code address}, which must be a loopback address: used to bring a
   * control plane back where its proxies expect it after an outage.
   */
  public static ControlPlane start(InetSocketAddress address, IstioVersionProfile profile) {
    return start(address, profile, OutboundTrafficPolicy.ALLOW_ANY);
  }

  /**
   * Starts the ADS server on the loopback {@code address} with the mesh's {@code
   * outboundTrafficPolicy} (MeshConfig).
   */
  public static ControlPlane start(
      InetSocketAddress address,
      IstioVersionProfile profile,
      OutboundTrafficPolicy outboundTrafficPolicy) {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("address: " + address + " (expected: a loopback address)");
    }
    ControlPlane plane = new ControlPlane(address, profile, outboundTrafficPolicy);
    try {
      plane.server.start();
    } catch (IOException e) {
      plane.executor.shutdownNow();
      throw new UncheckedIOException("cannot start the xDS server on " + address, e);
    }
    // Kept after start: a stopped server no longer lists its sockets, and a restart needs the
    // address.
    plane.boundAddress = (InetSocketAddress) plane.server.getListenSockets().get(0);
    return plane;
  }

  /** The Istio release whose defaults this control plane's translation follows. */
  public IstioVersionProfile profile() {
    return profile;
  }

  /** The mesh's outbound traffic policy for hosts outside the registry. */
  public OutboundTrafficPolicy outboundTrafficPolicy() {
    return outboundTrafficPolicy;
  }

  /** Where proxies connect for ADS. */
  public InetSocketAddress address() {
    return boundAddress;
  }

  public void register(ProxyNode proxy) {
    proxies.put(proxy.id(), proxy);
  }

  /** The proxies registered with this control plane. */
  public java.util.List<ProxyNode> registeredProxies() {
    return java.util.List.copyOf(proxies.values());
  }

  /**
   * Translates the current config and registry for every registered proxy and pushes what changed.
   * Serialised, so two pushes never interleave their snapshots.
   */
  public synchronized void push(ConfigStore config, ServiceRegistry registry) {
    // Read once per push, so every proxy is translated from the same mesh state.
    var virtualServices = config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE);
    var destinationRules = config.resources(IstioKinds.DESTINATION_RULE);
    var instances = registry.instances();
    for (ProxyNode proxy : proxies.values()) {
      Snapshot snapshot =
          XdsTranslator.translate(
              new TranslationInput(
                  proxy,
                  virtualServices,
                  destinationRules,
                  instances,
                  profile,
                  outboundTrafficPolicy));
      Snapshot previous = snapshots.get(proxy.id());
      if (previous != null
          && previous
              .version(XdsNames.TYPE_LISTENER)
              .equals(snapshot.version(XdsNames.TYPE_LISTENER))) {
        continue;
      }
      snapshots.put(proxy.id(), snapshot);
      tracker.expect(proxy.id(), snapshot.version(XdsNames.TYPE_LISTENER), typesIn(snapshot));
      cache.setSnapshot(proxy.id(), snapshot);
    }
  }

  /** Per type the snapshot holds, the names of its resources: what a synced proxy must hold. */
  private static Map<String, Set<String>> typesIn(Snapshot snapshot) {
    Map<String, Set<String>> types = new HashMap<>();
    for (String typeUrl :
        new String[] {
          XdsNames.TYPE_CLUSTER, XdsNames.TYPE_ENDPOINT, XdsNames.TYPE_LISTENER, XdsNames.TYPE_ROUTE
        }) {
      if (!snapshot.resources(typeUrl).isEmpty()) {
        types.put(XdsNames.shortType(typeUrl), Set.copyOf(snapshot.resources(typeUrl).keySet()));
      }
    }
    return types;
  }

  /**
   * Per proxy, where it stands against its snapshot (SYNCED / STALE / NOT_SENT / NACKED per type).
   */
  public Map<String, ProxyStatus> proxyStatus() {
    return tracker.statuses();
  }

  /**
   * Blocks until every proxy in {@code proxyIds} ACKed its current snapshot with every resource of
   * it: for EDS, the endpoints of every cluster, not only the version.
   *
   * @throws XdsRejectedException when a proxy NACKs, with its error detail
   * @throws IllegalStateException on timeout, naming what is not synced
   */
  public void awaitSynced(Collection<String> proxyIds, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      Duration slice = Duration.ofNanos(Math.max(1, Math.min(remaining, RESEND_AFTER.toNanos())));
      try {
        tracker.awaitSynced(proxyIds, slice);
        return;
      } catch (TimeoutException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(
              e.getMessage().replace(slice.toString(), timeout.toString()), e);
        }
        resendUndelivered(proxyIds);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for proxies to sync", e);
      }
    }
  }

  /**
   * Sets again the snapshot of every proxy whose current snapshot was never sent to it.
   * java-control-plane's {@code SimpleCache} drops a response when the watch it answers is
   * cancelled by the proxy's next request at the same moment ("failed to respond ... watch was
   * already cancelled"); the proxy then waits on its new watch at the old version and nothing
   * answers it. Setting the snapshot again answers that open watch; a proxy that already has the
   * version is not answered twice (the cache compares versions).
   */
  private synchronized void resendUndelivered(Collection<String> proxyIds) {
    Map<String, ProxyStatus> statuses = tracker.statuses();
    for (String id : proxyIds) {
      ProxyStatus status = statuses.get(id);
      Snapshot snapshot = snapshots.get(id);
      if (status == null || snapshot == null) {
        continue;
      }
      boolean undelivered =
          status.types().values().stream()
              .anyMatch(
                  t ->
                      t.state() == SyncState.STALE
                          && !t.sentVersion().equals(status.snapshotVersion()));
      if (undelivered) {
        log.info(
            "re-sending snapshot {} to {}: it was not delivered within {}",
            status.snapshotVersion(),
            id,
            RESEND_AFTER);
        cache.setSnapshot(id, snapshot);
      }
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
