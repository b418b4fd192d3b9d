package dev.meshproof.runtime.xds;

import com.google.protobuf.Message;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.policy.lb.Locality;
import dev.meshproof.runtime.policy.lb.LocalityLbSetting;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbound part of sidecars' translations (the clusters, endpoints and route configurations of
 * what a sidecar reaches), built once per distinct outbound input and shared, object for object,
 * between the snapshots of every sidecar with that input: istiod's xDS cache, keyed by what a
 * resource depends on. Sidecars of one namespace with the same Sidecar scope, visibility and
 * endpoints see the same outbound resources; only their listeners, inbound cluster and secrets are
 * their own.
 *
 * <p>The key is the sidecar's {@link TranslationInput} with the proxy reduced to what the outbound
 * builders read ({@link #keyOf}): its namespace, Sidecar scope, Istio release, and only the labels
 * the outbound translation compares (locality, the {@code sourceLabels} of its visible
 * VirtualServices, a DestinationRule's {@code failoverPriority}); no workload, addresses, inbound
 * port or certificate. The outbound builders then run on that key itself, not on the proxy's input,
 * so what they build cannot depend on anything the key leaves out: two proxies with equal keys get
 * the same objects by construction, and a change to config or endpoints that reaches a proxy's
 * outbound input changes its key (a new entry), while proxies whose key did not change keep theirs.
 * {@link #retainOnly} drops the entries no proxy's current translation uses.
 */
final class OutboundCache {

  /**
   * The shared outbound resources of one key, with the content digests the snapshot versions need
   * ({@code clustersDigest} is the digest state after the outbound clusters: a proxy's CDS version
   * continues it with its inbound cluster).
   */
  record Outbound(
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<RouteConfiguration> routes,
      MessageDigest clustersDigest,
      String endpointsVersion,
      String routesVersion,
      List<VersionedResource<Cluster>> versionedClusters,
      Set<String> clusterReferences,
      SnapshotResources<ClusterLoadAssignment> endpointResources,
      SnapshotResources<RouteConfiguration> routeResources) {

    /**
     * The outbound resources {@code input} yields: the builders run on exactly this input. Each
     * resource equal to one an earlier build made (a route change undone, a service that did not
     * change) is that earlier instance ({@link CanonicalResources}), and each is wrapped for the
     * snapshot cache here, once for every proxy that shares this entry ({@link
     * TranslatedSnapshot}).
     */
    static Outbound build(TranslationInput input) {
      List<VersionedResource<Cluster>> versionedClusters =
          CanonicalResources.JVM.versioned(new ClusterBuilder(input).outbound());
      List<VersionedResource<ClusterLoadAssignment>> versionedEndpoints =
          CanonicalResources.JVM.versioned(new EndpointBuilder(input).build());
      List<VersionedResource<RouteConfiguration>> versionedRoutes =
          CanonicalResources.JVM.versioned(new RouteConfigBuilder(input).build());
      List<Cluster> clusters = resourcesOf(versionedClusters);
      List<ClusterLoadAssignment> endpoints = resourcesOf(versionedEndpoints);
      List<RouteConfiguration> routes = resourcesOf(versionedRoutes);
      MessageDigest clustersDigest = XdsTranslator.newDigest();
      update(clustersDigest, clusters);
      String endpointsVersion = XdsTranslator.contentVersion(endpoints);
      String routesVersion = XdsTranslator.contentVersion(routes);
      return new Outbound(
          clusters,
          endpoints,
          routes,
          clustersDigest,
          endpointsVersion,
          routesVersion,
          versionedClusters,
          Set.copyOf(Resources.getResourceReferences(versionedClusters)),
          TranslatedSnapshot.resources(versionedEndpoints, endpointsVersion),
          TranslatedSnapshot.resources(versionedRoutes, routesVersion));
    }

    private static <T extends Message> List<T> resourcesOf(List<VersionedResource<T>> versioned) {
      return versioned.stream().map(VersionedResource::resource).toList();
    }

    /** The CDS content version of these outbound clusters followed by {@code inbound}. */
    String clustersVersion(List<Cluster> inbound) {
      try {
        MessageDigest digest = (MessageDigest) clustersDigest.clone();
        update(digest, inbound);
        return XdsTranslator.finish(digest);
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("SHA-256 digests are cloneable in every JDK", e);
      }
    }
  }

  /** Where a key's proxy listens: no outbound builder reads it. */
  private static final InetSocketAddress NO_ADDRESS =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final Map<Key, CompletableFuture<Outbound>> entries = new ConcurrentHashMap<>();

  /** Per proxy id, the key of its latest outbound translation. */
  private final Map<String, Key> keysByProxy = new ConcurrentHashMap<>();

  /**
   * An outbound input with its hash, computed once per proxy and push from the hashes of its large
   * parts, each computed once per instance ({@link #hashOf(Object)}): the registry's instances, the
   * visible VirtualServices and DestinationRules are one list per push shared by every proxy's
   * input, and hashing them again for each of 200 proxies was most of the cache's cost. Equal as
   * the inputs are.
   */
  private record Key(TranslationInput input, int hash) {
    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && k.hash == hash && k.input.equals(input);
    }
  }

  /** Hashes of large immutable parts of inputs, by instance; cleared when it grows past 64. */
  private final Map<Object, Integer> partHashes = new java.util.IdentityHashMap<>();

  /** {@code part}'s hash, computed once per instance while it is remembered. */
  private int hashOf(Object part) {
    synchronized (partHashes) {
      Integer known = partHashes.get(part);
      if (known != null) {
        return known;
      }
    }
    int hash = part.hashCode();
    synchronized (partHashes) {
      if (partHashes.size() >= 64) {
        partHashes.clear();
      }
      partHashes.put(part, hash);
    }
    return hash;
  }

  /** {@code key}'s hash: equal to any equal key's (equal parts have equal hashes). */
  private Key keyWithHash(TranslationInput key) {
    SecurityInput security = key.security();
    int securityHash =
        java.util.Objects.hash(
            security.enabled(),
            security.trustDomain(),
            security.certificate(),
            security.rootPem(),
            hashOf(security.identities()),
            hashOf(security.peerAuthentications()),
            security.autoMtls(),
            hashOf(security.authorizationPolicies()),
            hashOf(security.requestAuthentications()),
            hashOf(security.fetchedJwks()),
            hashOf(security.extensionProviders()));
    int hash =
        java.util.Objects.hash(
            key.proxy(),
            hashOf(key.virtualServices()),
            hashOf(key.destinationRules()),
            hashOf(key.instances()),
            key.profile(),
            securityHash,
            key.meshOutboundTrafficPolicy(),
            key.gateways(),
            key.files(),
            hashOf(key.credentials()));
    return new Key(key, hash);
  }

  private final AtomicLong builds = new AtomicLong();
  private final AtomicLong hits = new AtomicLong();

  /**
   * The outbound resources of sidecar {@code input}: those of an earlier proxy with an equal key,
   * else built now (once, however many translator threads ask for the key at the same time).
   *
   * @throws RuntimeException what the outbound builders threw for the key
   */
  Outbound outboundOf(TranslationInput input) {
    Key key = keyWithHash(keyOf(input));
    keysByProxy.put(input.proxy().id(), key);
    CompletableFuture<Outbound> mine = new CompletableFuture<>();
    CompletableFuture<Outbound> existing = entries.putIfAbsent(key, mine);
    if (existing != null) {
      hits.incrementAndGet();
      return join(existing);
    }
    builds.incrementAndGet();
    try {
      mine.complete(Outbound.build(key.input()));
    } catch (RuntimeException | Error e) {
      // Not cached: the next translation with this key builds again (and fails again, with the
      // proxy's own input, see XdsTranslator).
      entries.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    return join(mine);
  }

  private static Outbound join(CompletableFuture<Outbound> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a shared translation", e);
    }
  }

  /**
   * Keeps only the entries of the current translations of {@code proxyIds} (the registered
   * proxies): an entry whose key no proxy has any more (its config or endpoints changed, or its
   * proxies left) is dropped.
   */
  void retainOnly(Collection<String> proxyIds) {
    keysByProxy.keySet().retainAll(Set.copyOf(proxyIds));
    Set<Key> used = new HashSet<>(keysByProxy.values());
    entries.keySet().retainAll(used);
  }

  /** Distinct outbound inputs held. */
  int size() {
    return entries.size();
  }

  /** Outbound translations built (one per distinct key a translation asked for). */
  long builds() {
    return builds.get();
  }

  /** Translations that reused the outbound resources of an equal key. */
  long hits() {
    return hits.get();
  }

  /**
   * The outbound input of sidecar {@code input}: the input with the proxy replaced by one that has
   * only what the outbound builders read, and without the proxy's own certificate (only its SDS
   * secret reads it).
   */
  static TranslationInput keyOf(TranslationInput input) {
    ProxyNode proxy = input.proxy();
    if (proxy.isGateway()) {
      throw new IllegalArgumentException(proxy.id() + " is a gateway: its translation is its own");
    }
    ProxyIdentity identity =
        new ProxyIdentity(
            "outbound~" + proxy.namespace(),
            "",
            proxy.namespace(),
            outboundLabels(input),
            proxy.identity().istioVersion());
    ProxyNode outbound = new ProxyNode(identity, NO_ADDRESS, Optional.empty(), proxy.scope());
    SecurityInput security = input.security();
    if (security.certificate().isPresent()) {
      security =
          new SecurityInput(
              security.enabled(),
              security.trustDomain(),
              Optional.empty(),
              security.rootPem(),
              security.identities(),
              security.peerAuthentications(),
              security.autoMtls(),
              security.authorizationPolicies(),
              security.requestAuthentications(),
              security.fetchedJwks(),
              security.extensionProviders());
    }
    return new TranslationInput(
        outbound,
        input.virtualServices(),
        input.destinationRules(),
        input.instances(),
        input.profile(),
        security,
        input.meshOutboundTrafficPolicy(),
        List.of(),
        input.files(),
        input.credentials());
  }

  /**
   * The proxy's labels the outbound translation compares: its locality ({@code EndpointBuilder}'s
   * priorities), those a visible VirtualService's {@code sourceLabels} name ({@code
   * RouteConfigBuilder}'s source match) and those a DestinationRule's {@code failoverPriority}
   * names. Any other label cannot change the outbound resources, so it stays out of the key.
   */
  private static Map<String, String> outboundLabels(TranslationInput input) {
    Set<String> read = new HashSet<>(List.of(Locality.LABEL, Locality.LEGACY_LABEL));
    for (VirtualService vs : input.virtualServices()) {
      for (VirtualService.HttpRoute route : vs.http()) {
        for (VirtualService.HttpMatchRequest match : route.match()) {
          read.addAll(match.sourceLabels().keySet());
        }
      }
    }
    for (DestinationRule rule : input.destinationRules()) {
      failoverLabels(rule.localityLbSetting(), read);
      rule.portLevelSettings().forEach(p -> failoverLabels(p.localityLbSetting(), read));
      for (DestinationRule.Subset subset : rule.subsets()) {
        failoverLabels(subset.localityLbSetting(), read);
        subset.portLevelSettings().forEach(p -> failoverLabels(p.localityLbSetting(), read));
      }
    }
    Map<String, String> labels = new TreeMap<>();
    input
        .proxy()
        .labels()
        .forEach(
            (name, value) -> {
              if (read.contains(name)) {
                labels.put(name, value);
              }
            });
    return labels;
  }

  /** The label names of {@code failoverPriority} entries ({@code label} or {@code label=value}). */
  private static void failoverLabels(Optional<LocalityLbSetting> setting, Set<String> read) {
    setting.ifPresent(s -> s.failoverPriority().forEach(entry -> read.add(entry.split("=", 2)[0])));
  }

  private static void update(MessageDigest digest, List<? extends Message> messages) {
    for (Message message : messages) {
      digest.update(message.toByteArray());
    }
  }
}
