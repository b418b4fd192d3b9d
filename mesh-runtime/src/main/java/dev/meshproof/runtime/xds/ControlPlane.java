package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.config.PeerAuthentication;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationScope;
import dev.meshproof.runtime.registry.ServiceRegistry;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificates;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  /**
   * Threads translating proxies in parallel: the machine's CPUs, at most 4 (several meshes may run
   * in one JVM, and the translation shares the CPUs with the sidecars of embedded meshes).
   */
  private static final int TRANSLATOR_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final SimpleCache<String> cache = new SimpleCache<>(Node::getId);
  private final XdsStatusTracker tracker = new XdsStatusTracker();
  private final Map<String, ProxyNode> proxies = new ConcurrentHashMap<>();
  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

  /**
   * Per proxy, the file secrets it was ever served: kept in its snapshots (withRetainedSecrets).
   */
  private final Map<
          String, Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret>>
      servedFileSecrets = new ConcurrentHashMap<>();

  private final IstioVersionProfile profile;
  private final OutboundTrafficPolicy outboundTrafficPolicy;
  private volatile dev.meshproof.runtime.security.ProxyFiles files =
      dev.meshproof.runtime.security.ProxyFiles.NONE;
  private final Optional<WorkloadCertificates> certificates;
  private final Map<String, String> serviceAccounts = new ConcurrentHashMap<>();
  private final JwksResolver jwksResolver = new JwksResolver();
  private final ExecutorService executor;
  private final ScheduledExecutorService pushScheduler;
  private final PushDebouncer debouncer;
  private final AtomicLong proxiesPushed = new AtomicLong();
  private final AtomicLong proxiesTranslated = new AtomicLong();

  /**
   * Per proxy, the input its current snapshot was translated from: a push whose input for the proxy
   * equals it does not translate the proxy again.
   */
  private final Map<String, TranslationInput> translatedInputs = new ConcurrentHashMap<>();

  /**
   * Per proxy, its last translation: the next one reuses its unchanged resources (instances,
   * wrappers, versions; {@link TranslatedSnapshot}).
   */
  private final Map<String, TranslatedSnapshot> translations = new ConcurrentHashMap<>();

  /** Translates the affected proxies of a push in parallel, bounded by the machine's CPUs. */
  private final ExecutorService translators;

  private final NodeSerialization nodeSerialization = new NodeSerialization();

  /** Sidecars' outbound resources, shared between proxies with equal outbound inputs. */
  private final OutboundCache outboundCache = new OutboundCache();

  private volatile ConfigStore pendingConfig;
  private volatile ServiceRegistry pendingRegistry;
  private final Server server;
  private volatile InetSocketAddress boundAddress;

  private ControlPlane(
      InetSocketAddress address,
      IstioVersionProfile profile,
      Optional<WorkloadCertificates> certificates,
      PushDebounce debounce,
      OutboundTrafficPolicy outboundTrafficPolicy) {
    this.outboundTrafficPolicy =
        java.util.Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    this.profile = java.util.Objects.requireNonNull(profile, "profile");
    this.certificates = java.util.Objects.requireNonNull(certificates, "certificates");
    this.pushScheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshproof-xds-push");
              t.setDaemon(true);
              return t;
            });
    this.debouncer =
        new PushDebouncer(
            java.util.Objects.requireNonNull(debounce, "debounce"),
            Clock.systemUTC(),
            pushScheduler,
            () -> push(pendingConfig, pendingRegistry));
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "meshproof-xds-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    AtomicInteger translatorThreads = new AtomicInteger();
    this.translators =
        Executors.newFixedThreadPool(
            TRANSLATOR_THREADS,
            r -> {
              Thread t =
                  new Thread(r, "meshproof-xds-translate-" + translatorThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // Shared outbound resources are the same objects in many snapshots: the cached serializer packs
    // each into its Any once (by identity first, then by value), not once per proxy and response.
    V3DiscoveryServer discovery =
        new V3DiscoveryServer(
            List.of(tracker),
            cache,
            new io.envoyproxy.controlplane.server.DefaultExecutorGroup(),
            new io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer());
    this.server =
        NettyServerBuilder.forAddress(address)
            .executor(executor)
            .addService(
                io.grpc.ServerInterceptors.intercept(
                    discovery.getAggregatedDiscoveryServiceImpl(), nodeSerialization))
            .build();
  }

  /**
   * Starts the ADS server on 127.0.0.1 on an ephemeral port, translating with the defaults of
   * {@code profile}'s Istio release.
   */
  public static ControlPlane start(IstioVersionProfile profile) {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), profile);
  }

  /** As {@link #start(InetSocketAddress, IstioVersionProfile, PushDebounce)} without debouncing. */
  public static ControlPlane start(InetSocketAddress address, IstioVersionProfile profile) {
    return start(address, profile, PushDebounce.NONE);
  }

  /**
   * Starts the ADS server on {@code address}, which must be a loopback address: used to bring a
   * control plane back where its proxies expect it after an outage.
   */
  public static ControlPlane start(
      InetSocketAddress address, IstioVersionProfile profile, PushDebounce debounce) {
    return start(address, profile, Optional.empty(), debounce);
  }

  /**
   * Starts the ADS server on {@code address} (loopback); with {@code certificates}, the mesh's CA
   * issues every registered proxy its workload certificate, delivered as SDS secrets over ADS, and
   * the translation turns on mutual TLS.
   */
  public static ControlPlane start(
      InetSocketAddress address,
      IstioVersionProfile profile,
      Optional<WorkloadCertificates> certificates,
      PushDebounce debounce) {
    return start(address, profile, certificates, debounce, OutboundTrafficPolicy.ALLOW_ANY);
  }

  /**
   * As {@link #start(InetSocketAddress, IstioVersionProfile, Optional, PushDebounce)}, with the
   * mesh's {@code outboundTrafficPolicy} (MeshConfig; a proxy's Sidecar resource may override it).
   */
  public static ControlPlane start(
      InetSocketAddress address,
      IstioVersionProfile profile,
      Optional<WorkloadCertificates> certificates,
      PushDebounce debounce,
      OutboundTrafficPolicy outboundTrafficPolicy) {
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("address: " + address + " (expected: a loopback address)");
    }
    ControlPlane plane =
        new ControlPlane(address, profile, certificates, debounce, outboundTrafficPolicy);
    try {
      plane.server.start();
    } catch (IOException e) {
      plane.executor.shutdownNow();
      plane.pushScheduler.shutdownNow();
      plane.translators.shutdownNow();
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

  /**
   * Mounts {@code files} in every proxy (replacing what was mounted): the certificate files
   * DestinationRule TLS names, served as SDS secrets from the next push on.
   */
  public void mountFiles(dev.meshproof.runtime.security.ProxyFiles files) {
    this.files = java.util.Objects.requireNonNull(files, "files");
  }

  /** The files mounted in every proxy. */
  public dev.meshproof.runtime.security.ProxyFiles files() {
    return files;
  }

  /** Where proxies connect for ADS. */
  public InetSocketAddress address() {
    return boundAddress;
  }

  public void register(ProxyNode proxy) {
    proxies.put(proxy.id(), proxy);
  }

  /**
   * Registers a proxy whose workload runs as {@code serviceAccount}: its SPIFFE identity, in a mesh
   * with a CA.
   */
  public void register(ProxyNode proxy, String serviceAccount) {
    serviceAccounts.put(proxy.namespace() + "/" + proxy.workload(), serviceAccount);
    register(proxy);
  }

  /** The service account a registered workload runs as ({@code default} unless registered). */
  public String serviceAccountOf(String namespace, String workload) {
    return serviceAccounts.getOrDefault(namespace + "/" + workload, "default");
  }

  /** The mesh's CA and the certificates it issued; empty for a mesh without one. */
  public Optional<WorkloadCertificates> certificates() {
    return certificates;
  }

  /** The proxies registered with this control plane. */
  public java.util.List<ProxyNode> registeredProxies() {
    return java.util.List.copyOf(proxies.values());
  }

  /**
   * Records that config or registry changed: the push runs debounced ({@link PushDebounce}), merged
   * with the changes that follow within the quiet period; {@link #flushPushes()} runs it at once.
   */
  public void requestPush(ConfigStore config, ServiceRegistry registry) {
    pendingConfig = config;
    pendingRegistry = registry;
    debouncer.changed();
  }

  /**
   * Runs a pending debounced push now: a caller about to wait for the proxies to hold what it
   * applied calls this first.
   *
   * @throws IllegalStateException when a debounced push failed (an inconsistent translation)
   */
  public void flushPushes() {
    debouncer.flush();
  }

  /**
   * Push counters: debounced pushes run, changes merged into a pending push, and proxies that
   * received a new snapshot (a proxy whose translation did not change receives nothing).
   */
  public PushStats pushStats() {
    return new PushStats(
        debouncer.pushes(),
        debouncer.mergedChanges(),
        proxiesPushed.get(),
        proxiesTranslated.get(),
        outboundCache.builds());
  }

  /**
   * Counters of the control plane's pushes.
   *
   * @param pushes debounced pushes run
   * @param mergedChanges changes that joined an already pending push
   * @param proxySnapshots proxy snapshots set (one per proxy whose configuration changed)
   * @param proxyTranslations proxy translations run (one per proxy whose translation input changed;
   *     a proxy a change does not affect is not translated)
   * @param outboundTranslations sidecar outbound parts built (one per distinct outbound input a
   *     translation asked for; the other translations share one, {@link OutboundCache})
   */
  public record PushStats(
      long pushes,
      long mergedChanges,
      long proxySnapshots,
      long proxyTranslations,
      long outboundTranslations) {

    /** Counters without the translation counts. */
    public PushStats(long pushes, long mergedChanges, long proxySnapshots) {
      this(pushes, mergedChanges, proxySnapshots, 0, 0);
    }

    /** Counters without the outbound translation count. */
    public PushStats(long pushes, long mergedChanges, long proxySnapshots, long proxyTranslations) {
      this(pushes, mergedChanges, proxySnapshots, proxyTranslations, 0);
    }
  }

  /**
   * Translates the current config and registry for every registered proxy and pushes what changed,
   * now (no debounce). Scoped as istiod scopes a push: a proxy whose translation is unchanged gets
   * nothing, and within a proxy only the xDS types whose content changed are sent (an
   * endpoints-only change is an EDS-only push). Serialised, so two pushes never interleave their
   * snapshots.
   */
  public synchronized void push(ConfigStore config, ServiceRegistry registry) {
    // Read once per push, so every proxy is translated from the same mesh state.
    // Delegates merged into their roots once per push, before any translation, as istiod does.
    var delegation =
        VirtualServiceDelegation.merge(config.resourcesInCreationOrder(IstioKinds.VIRTUAL_SERVICE));
    delegation.warnings().forEach(w -> log.warn("{}", w));
    var virtualServices = delegation.virtualServices();
    var destinationRules = config.resources(IstioKinds.DESTINATION_RULE);
    var instances = registry.instances();
    var gateways = config.resourcesInCreationOrder(IstioKinds.GATEWAY);
    var credentials = config.resources(IstioKinds.KUBERNETES_SECRET);
    var peerAuthentications =
        config.resourcesInCreationOrder(IstioKinds.PEER_AUTHENTICATION).stream()
            .map(PeerAuthentication::scope)
            .toList();
    var authorizationPolicies = config.resourcesInCreationOrder(IstioKinds.AUTHORIZATION_POLICY);
    var requestAuthentications = config.resourcesInCreationOrder(IstioKinds.REQUEST_AUTHENTICATION);
    // istiod fetches a jwksUri itself and inlines the keys (PILOT_JWT_ENABLE_REMOTE_JWKS=false).
    var fetchedJwks = jwksResolver.resolve(requestAuthentications);
    // Inputs are built serially in proxy-id order (assigning TCP listener ports reserves ports),
    // the translations of the proxies whose input changed run in parallel, and their snapshots are
    // set serially in the same order, so a push's outcome does not depend on thread timing.
    // Every workload's identity, once per push (one map shared by every proxy's input, so equal
    // inputs compare by reference rather than entry by entry).
    Map<String, SpiffeId> identities = identities();
    List<ProxyNode> ordered = new ArrayList<>(proxies.values());
    ordered.sort(java.util.Comparator.comparing(ProxyNode::id));
    Map<List<Object>, List<dev.meshproof.runtime.config.VirtualService>> visibleVirtualServices =
        new HashMap<>();
    Map<String, List<dev.meshproof.runtime.config.DestinationRule>> visibleDestinationRules =
        new HashMap<>();
    List<TranslationInput> changed = new ArrayList<>();
    for (ProxyNode registered : ordered) {
      ProxyNode proxy = OutboundListenerAddresses.assign(registered, instances);
      if (proxy != registered) {
        proxies.put(proxy.id(), proxy);
      }
      // Only what the proxy can see goes into its input (one list per namespace and scope, shared
      // by the proxies that have them): a change outside it leaves the input equal.
      TranslationInput input =
          new TranslationInput(
              proxy,
              visibleVirtualServices.computeIfAbsent(
                  List.of(proxy.isGateway(), proxy.namespace(), proxy.scope()),
                  k -> TranslationInput.visibleVirtualServices(virtualServices, proxy)),
              visibleDestinationRules.computeIfAbsent(
                  proxy.namespace(),
                  ns -> TranslationInput.visibleDestinationRules(destinationRules, ns)),
              registry.instancesSeenBy(instances, proxy.namespace(), proxy.workload()),
              profile,
              security(
                  proxy,
                  peerAuthentications,
                  authorizationPolicies,
                  requestAuthentications,
                  fetchedJwks,
                  identities),
              outboundTrafficPolicy,
              proxy.isGateway() ? gateways : List.of(),
              files,
              credentials);
      // The translation is a pure function of its input (TranslationInput): an input equal to the
      // one this proxy's current snapshot was translated from yields that snapshot again, so the
      // proxy is not affected by this push and is not translated (istiod's ProxyNeedsPush).
      if (input.equals(translatedInputs.get(proxy.id()))) {
        continue;
      }
      changed.add(input);
    }
    List<java.util.concurrent.Future<TranslatedSnapshot>> translations = new ArrayList<>();
    for (TranslationInput input : changed) {
      TranslatedSnapshot previous = this.translations.get(input.proxy().id());
      translations.add(
          translators.submit(() -> XdsTranslator.translate(input, outboundCache, previous)));
    }
    proxiesTranslated.addAndGet(changed.size());
    RuntimeException failure = null;
    for (int i = 0; i < changed.size(); i++) {
      TranslationInput input = changed.get(i);
      TranslatedSnapshot translated;
      try {
        translated = translations.get(i).get();
      } catch (java.util.concurrent.ExecutionException e) {
        // Every translation is awaited before the first failure is thrown, so none outlives the
        // push; the proxies before it in order are pushed, as a serial push would have.
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException r
                  ? r
                  : new IllegalStateException(e.getCause());
        }
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        translations.forEach(f -> f.cancel(true));
        throw new IllegalStateException("interrupted while translating", e);
      }
      if (failure != null) {
        continue;
      }
      ProxyNode proxy = input.proxy();
      Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> served =
          servedFileSecrets.computeIfAbsent(proxy.id(), k -> new TreeMap<>());
      Snapshot snapshot = XdsTranslator.withRetainedSecrets(translated, served.values());
      translated
          .resources(XdsNames.TYPE_SECRET)
          .forEach(
              (name, secret) -> {
                if (name.startsWith(MtlsBuilder.FILE_ROOT)
                    || name.startsWith(MtlsBuilder.FILE_CERT)) {
                  served.put(
                      name,
                      (io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret)
                          secret.resource());
                }
              });
      translatedInputs.put(proxy.id(), input);
      this.translations.put(proxy.id(), translated);
      Snapshot previous = snapshots.get(proxy.id());
      String version = XdsTranslator.snapshotVersion(snapshot);
      if (previous != null && XdsTranslator.snapshotVersion(previous).equals(version)) {
        continue;
      }
      snapshots.put(proxy.id(), snapshot);
      tracker.expect(proxy.id(), version, typesIn(snapshot, translated));
      setSnapshot(proxy.id(), snapshot);
      proxiesPushed.incrementAndGet();
    }
    // Entries no registered proxy's current translation uses (their inputs changed) are dropped.
    outboundCache.retainOnly(proxies.keySet());
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Where {@code proxyId}'s app connects for a destination on port {@code port}: its outbound HTTP
   * listener {@code 0.0.0.0_<port>} when the proxy's current snapshot has one (an HTTP service it
   * sees has that port), as iptables hands a connection to the listener of its destination port.
   * Empty otherwise: the app's traffic then goes to {@code virtualOutbound}, as istiod's does.
   */
  public Optional<InetSocketAddress> httpOutboundAddress(String proxyId, int port) {
    ProxyNode proxy = proxies.get(proxyId);
    Snapshot snapshot = snapshots.get(proxyId);
    if (proxy == null
        || snapshot == null
        || !proxy.httpOutbound().containsKey(port)
        || !snapshot.listeners().resources().containsKey(XdsNames.outboundHttpListener(port))) {
      return Optional.empty();
    }
    return Optional.of(proxy.httpOutbound().get(port));
  }

  /**
   * Where {@code proxyId}'s app connects for the TCP service port {@code host:port} (its outbound
   * TCP listener), once a push has assigned it.
   */
  public Optional<InetSocketAddress> tcpOutboundAddress(String proxyId, String host, int port) {
    return Optional.ofNullable(proxies.get(proxyId))
        .map(p -> p.tcpOutbound().get(ProxyNode.tcpKey(host, port)));
  }

  /**
   * Every registered workload's SPIFFE identity by {@code <namespace>/<workload>}; none without a
   * CA.
   */
  private Map<String, SpiffeId> identities() {
    if (certificates.isEmpty()) {
      return Map.of();
    }
    WorkloadCertificates certs = certificates.get();
    Map<String, SpiffeId> identities = new HashMap<>();
    for (ProxyNode p : proxies.values()) {
      identities.put(
          p.namespace() + "/" + p.workload(),
          certs.identity(p.namespace(), serviceAccountOf(p.namespace(), p.workload())));
    }
    return Map.copyOf(identities);
  }

  /** The security input of {@code proxy}'s translation: its certificate, identities, policies. */
  private SecurityInput security(
      ProxyNode proxy,
      List<PeerAuthenticationScope> peerAuthentications,
      List<dev.meshproof.runtime.config.AuthorizationPolicy> authorizationPolicies,
      List<dev.meshproof.runtime.config.RequestAuthentication> requestAuthentications,
      Map<String, String> fetchedJwks,
      Map<String, SpiffeId> identities) {
    if (certificates.isEmpty()) {
      return SecurityInput.NONE;
    }
    WorkloadCertificates certs = certificates.get();
    SpiffeId own = identities.get(proxy.namespace() + "/" + proxy.workload());
    return new SecurityInput(
        true,
        certs.settings().trustDomain(),
        Optional.of(certs.certificateFor(own)),
        certs.ca().rootPem(),
        identities,
        peerAuthentications,
        certs.settings().autoMtls(),
        authorizationPolicies,
        requestAuthentications,
        fetchedJwks,
        certs.settings().extensionProviders());
  }

  /**
   * Per type the snapshot holds, its version and the names of its resources: what a synced proxy
   * must hold.
   */
  /**
   * Per type, the version sent and the names the proxy must hold: those of {@code translated} (a
   * retained secret no cluster references any more is served, not expected to be asked for).
   */
  private static Map<String, XdsStatusTracker.Expected> typesIn(
      Snapshot snapshot, Snapshot translated) {
    Map<String, XdsStatusTracker.Expected> types = new HashMap<>();
    for (String typeUrl : XdsNames.TYPES) {
      if (!translated.resources(typeUrl).isEmpty()) {
        types.put(
            XdsNames.shortType(typeUrl),
            new XdsStatusTracker.Expected(
                snapshot.version(typeUrl), translated.resources(typeUrl).keySet()));
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
   * Hears that a proxy holds all of its current snapshot (every type SYNCED, as {@link
   * ProxyStatus#synced()}), once per proxy and snapshot version, at the ACK that completed it.
   * Called on the ADS thread that handled the ACK, under the status tracker's lock: it must be
   * quick and must not call back into the control plane.
   */
  @FunctionalInterface
  public interface SyncListener {
    void synced(String proxyId, String snapshotVersion);
  }

  /**
   * Starts telling {@code listener} when a proxy becomes SYNCED at its current snapshot: a reader
   * waiting for convergence is told on the ACK instead of re-reading every proxy's status, which
   * takes the tracker's lock the ADS callbacks wait on. {@link #removeSyncListener} stops it.
   */
  public void addSyncListener(SyncListener listener) {
    tracker.addSyncListener(listener);
  }

  /** Stops telling {@code listener} (see {@link #addSyncListener}). */
  public void removeSyncListener(SyncListener listener) {
    tracker.removeSyncListener(listener);
  }

  /**
   * Blocks until every proxy in {@code proxyIds} ACKed its current snapshot with every resource of
   * it: for EDS, the endpoints of every cluster, not only the version.
   *
   * @throws XdsRejectedException when a proxy NACKs, with its error detail
   * @throws IllegalStateException on timeout, naming what is not synced
   */
  public void awaitSynced(Collection<String> proxyIds, Duration timeout) {
    flushPushes();
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
          XdsNames.TYPES.stream()
              .anyMatch(
                  typeUrl -> {
                    var t = status.types().get(XdsNames.shortType(typeUrl));
                    return t != null
                        && t.state() == SyncState.STALE
                        && !t.sentVersion().equals(snapshot.version(typeUrl));
                  });
      if (undelivered) {
        log.info(
            "re-sending snapshot {} to {}: it was not delivered within {}",
            status.snapshotVersion(),
            id,
            RESEND_AFTER);
        setSnapshot(id, snapshot);
      }
    }
  }

  @Override
  public void close() {
    debouncer.cancel();
    pushScheduler.shutdownNow();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    translators.shutdownNow();
  }

  /**
   * Sets {@code proxyId}'s snapshot in the cache under the node's lock ({@link NodeSerialization}),
   * so answering its open watches does not race its own requests.
   */
  private void setSnapshot(String proxyId, Snapshot snapshot) {
    synchronized (nodeSerialization.lockOf(proxyId)) {
      cache.setSnapshot(proxyId, snapshot);
    }
  }
}
