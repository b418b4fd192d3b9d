package dev.meshproof.runtime.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotConsistencyException;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A proxy's snapshot assembled from resources already wrapped for java-control-plane: the same
 * content as {@link Snapshot#create}, without its per-snapshot work. {@code Snapshot.create} wraps
 * every resource of every proxy's snapshot in a {@link VersionedResource} (a SHA-256 of the
 * resource's hash) and {@link Snapshot#ensureConsistent} unpacks every listener's HTTP connection
 * manager to find the route configurations it names; at 200 sidecars that see every service, a
 * route change repeated both for each of thousands of resources that did not change. Here the
 * shared outbound resources come wrapped once per distinct outbound input ({@link
 * OutboundCache.Outbound}), a proxy's own resources (listeners, inbound clusters, secrets) that are
 * equal to those of its previous snapshot are that snapshot's instances with their wrappers, their
 * references and their type's version, and only what changed is wrapped, hashed and read for
 * references. The reuse changes no content: what the proxy is sent is what {@code Snapshot.create}
 * would have built from the same resources.
 */
final class TranslatedSnapshot extends Snapshot {
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;

  /** The EDS names the clusters reference: the outbound ones' (shared) and the inbound ones'. */
  private final Set<String> clusterReferences;

  /** Per listener name, the route configurations the listener names (RDS). */
  private final Map<String, Set<String>> routeReferences;

  /** The proxy's own resources as built, which the next translation may keep. */
  private final ProxyOwnResources own;

  private TranslatedSnapshot(
      SnapshotResources<Cluster> clusters,
      SnapshotResources<ClusterLoadAssignment> endpoints,
      SnapshotResources<Listener> listeners,
      SnapshotResources<RouteConfiguration> routes,
      SnapshotResources<Secret> secrets,
      Set<String> clusterReferences,
      Map<String, Set<String>> routeReferences,
      ProxyOwnResources own) {
    this.clusters = clusters;
    this.endpoints = endpoints;
    this.listeners = listeners;
    this.routes = routes;
    this.secrets = secrets;
    this.clusterReferences = clusterReferences;
    this.routeReferences = routeReferences;
    this.own = own;
  }

  /**
   * The snapshot of a proxy: {@code outbound}'s shared clusters, endpoints and routes, and the
   * proxy's {@code own} inbound clusters, listeners and secrets, each reused from {@code previous}
   * (the proxy's last snapshot, or null) where equal to what it held.
   *
   * @param clustersVersion computes the CDS version (outbound and inbound clusters) when some
   *     cluster changed
   * @param listenersVersion computes the LDS version when some listener changed
   * @param secretsVersion computes the SDS version when some secret changed
   */
  static TranslatedSnapshot assemble(
      OutboundCache.Outbound outbound,
      ProxyOwnResources own,
      java.util.function.Supplier<String> clustersVersion,
      java.util.function.Function<List<Listener>, String> listenersVersion,
      java.util.function.Function<List<Secret>, String> secretsVersion,
      TranslatedSnapshot previous) {
    List<Cluster> inbound = own.inbound();
    List<Listener> listeners = own.listeners();
    List<Secret> secrets = own.secrets();
    List<VersionedResource<Cluster>> clusters = new ArrayList<>(outbound.versionedClusters());
    Set<String> clusterReferences = outbound.clusterReferences();
    Reused<Cluster> inboundClusters =
        reuse(inbound, previous == null ? Map.of() : previous.clusters.versionedResources());
    clusters.addAll(inboundClusters.versioned());
    if (!inbound.isEmpty()) {
      Set<String> inboundReferences = Resources.getResourceReferences(inboundClusters.versioned());
      if (!inboundReferences.isEmpty()) {
        clusterReferences = new HashSet<>(clusterReferences);
        clusterReferences.addAll(inboundReferences);
      }
    }

    Reused<Listener> ownListeners =
        reuse(listeners, previous == null ? Map.of() : previous.listeners.versionedResources());
    Map<String, Set<String>> routeReferences = new java.util.HashMap<>();
    for (VersionedResource<Listener> listener : ownListeners.versioned()) {
      String name = listener.resource().getName();
      Set<String> known =
          previous == null || previous.listeners.versionedResources().get(name) != listener
              ? null
              : previous.routeReferences.get(name);
      routeReferences.put(
          name, known != null ? known : Resources.getResourceReferences(List.of(listener)));
    }
    String listenerVersion =
        previous != null && ownListeners.allReused(previous.listeners)
            ? previous.listeners.version()
            : listenersVersion.apply(ownListeners.resources());

    Reused<Secret> ownSecrets =
        reuse(secrets, previous == null ? Map.of() : previous.secrets.versionedResources());
    String secretVersion =
        previous != null && ownSecrets.allReused(previous.secrets)
            ? previous.secrets.version()
            : secretsVersion.apply(ownSecrets.resources());

    // The clusters are the previous snapshot's, wrapper for wrapper and in order (the outbound ones
    // are canonical, the inbound ones reused): its resource map and version stand.
    SnapshotResources<Cluster> clusterResources =
        previous != null && sameInstances(clusters, previous.clusters)
            ? previous.clusters
            : resources(clusters, clustersVersion.get());
    return new TranslatedSnapshot(
        clusterResources,
        outbound.endpointResources(),
        resources(ownListeners.versioned(), listenerVersion),
        outbound.routeResources(),
        resources(ownSecrets.versioned(), secretVersion),
        Set.copyOf(clusterReferences),
        Map.copyOf(routeReferences),
        own);
  }

  /** The proxy's own resources this snapshot was assembled from. */
  ProxyOwnResources own() {
    return own;
  }

  private static <T extends Message> boolean sameInstances(
      List<VersionedResource<T>> versioned, SnapshotResources<T> previous) {
    if (versioned.size() != previous.versionedResources().size()) {
      return false;
    }
    int i = 0;
    for (VersionedResource<T> held : previous.versionedResources().values()) {
      if (held != versioned.get(i++)) {
        return false;
      }
    }
    return true;
  }

  /** Resources of one type under one version (a state-of-the-world type has one version). */
  static <T extends Message> SnapshotResources<T> resources(
      List<VersionedResource<T>> versioned, String version) {
    return SnapshotResources.create(versioned, names -> version);
  }

  /** Resources, each the previous snapshot's instance where equal to it. */
  private record Reused<T extends Message>(
      List<VersionedResource<T>> versioned, List<T> resources, int reused) {

    /**
     * True when these are exactly the resources of {@code previous}, instance for instance and in
     * the same order: then their content version is the previous one.
     */
    boolean allReused(SnapshotResources<T> previous) {
      return reused == versioned.size() && sameInstances(versioned, previous);
    }
  }

  private static <T extends Message> Reused<T> reuse(
      List<T> built, Map<String, VersionedResource<T>> previous) {
    List<VersionedResource<T>> versioned = new ArrayList<>(built.size());
    List<T> resources = new ArrayList<>(built.size());
    int reused = 0;
    for (T resource : built) {
      VersionedResource<T> held = previous.get(Resources.getResourceName(resource));
      if (held != null && held.resource().equals(resource)) {
        versioned.add(held);
        resources.add(held.resource());
        reused++;
      } else {
        versioned.add(VersionedResource.create(resource));
        resources.add(resource);
      }
    }
    return new Reused<>(versioned, resources, reused);
  }

  /**
   * java-control-plane's own, declared again: its v3 {@code Snapshot} implements the base class's
   * method with a return type javac does not accept as an override in a subclass compiled against
   * both; the raw type is the erasure of both.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public Map versionedResources(Resources.ResourceType resourceType) {
    return super.versionedResources(resourceType);
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }

  /**
   * As {@link Snapshot#ensureConsistent} (every EDS name the clusters reference has an assignment
   * and no assignment is unreferenced; the same for the route configurations the listeners name),
   * with the references read once per resource instance instead of once per snapshot.
   */
  @Override
  public void ensureConsistent() throws SnapshotConsistencyException {
    ensureAllResourceNamesExist(
        XdsNames.TYPE_CLUSTER,
        XdsNames.TYPE_ENDPOINT,
        clusterReferences,
        endpoints.versionedResources());
    Set<String> named = new HashSet<>();
    routeReferences.values().forEach(named::addAll);
    ensureAllResourceNamesExist(
        XdsNames.TYPE_LISTENER, XdsNames.TYPE_ROUTE, named, routes.versionedResources());
  }
}
