package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decoded resources the ADS client holds, per type, as last accepted (or as a candidate being
 * offered). Immutable: a response produces a new value with one type replaced, which becomes the
 * held value only once the sidecar accepted the {@link ProxyConfig} assembled from it.
 */
final class XdsResources {
  static final XdsResources EMPTY = new XdsResources(Map.of(), ClusterAssembly.NONE);

  private final Map<String, Map<String, ?>> byType;

  /** The clusters of the resources this value was derived from, as they were assembled. */
  private final ClusterAssembly reusable;

  /** This value's clusters, once {@link #toProxyConfig} assembled them. */
  private volatile ClusterAssembly assembled;

  private XdsResources(Map<String, Map<String, ?>> byType, ClusterAssembly reusable) {
    this.byType = byType;
    this.reusable = reusable;
  }

  /**
   * One cluster as assembled: its decoded CDS resource and EDS endpoints (the instances {@link
   * SharedXdsResources} shares, {@code null} for a cluster without EDS) and the configuration made
   * of them.
   */
  private record Assembled(
      XdsResourceHandler.DecodedCluster cluster,
      List<InetSocketAddress> endpoints,
      ClusterConfig config) {}

  /** The clusters of one {@link #toProxyConfig}: by name, and as the configuration holds them. */
  private record ClusterAssembly(
      Map<String, Assembled> byName,
      Map<String, ClusterConfig> clusters,
      Map<String, ?> fromClusters,
      Map<String, ?> fromAssignments) {
    static final ClusterAssembly NONE = new ClusterAssembly(Map.of(), Map.of(), null, null);
  }

  @SuppressWarnings("unchecked") // with() stores a Map<String, T> under T's handler only
  <T> Map<String, T> get(XdsResourceHandler<T> type) {
    return (Map<String, T>) byType.getOrDefault(type.typeUrl(), Map.of());
  }

  <T> XdsResources with(XdsResourceHandler<T> type, Map<String, T> decoded) {
    Map<String, Map<String, ?>> copy = new HashMap<>(byType);
    copy.put(type.typeUrl(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(decoded)));
    ClusterAssembly last = assembled;
    return new XdsResources(Map.copyOf(copy), last != null ? last : reusable);
  }

  /**
   * The resources after a state-of-the-world response of {@code type} is accepted. For a wildcard
   * type (CDS, LDS) the response is the complete set. For a type subscribed by name (EDS, RDS) it
   * is not: a name the response omits keeps its last accepted resource while it is still
   * subscribed, as Envoy keeps a cluster's endpoints and a route configuration when a response
   * lacks them ({@code EdsClusterImpl::onConfigUpdate} and {@code
   * RdsRouteConfigSubscription::validateUpdateSize} count {@code update_empty} and change nothing).
   * A late response answering an older, narrower subscription therefore never empties a cluster the
   * newer response already filled; a name no longer subscribed is dropped.
   */
  <T> XdsResources withResponse(
      XdsResourceHandler<T> type, Map<String, T> decoded, Collection<String> subscribed) {
    if (type.wildcard()) {
      return with(type, decoded);
    }
    Map<String, T> merged = new LinkedHashMap<>();
    get(type)
        .forEach(
            (name, held) -> {
              if (subscribed.contains(name)) {
                merged.put(name, held);
              }
            });
    merged.putAll(decoded);
    return with(type, merged);
  }

  /**
   * The configuration these resources describe: RDS route tables put into the filter chains that
   * name them (empty while not yet received, as a warming listener), EDS endpoints into the
   * clusters that name their service; an EDS cluster whose service has had no assignment yet is
   * left out (warming).
   */
  ProxyConfig toProxyConfig(Map<String, String> versions) {
    Map<String, RouteTable> routes = get(XdsResourceHandler.ROUTES);
    Map<String, List<InetSocketAddress>> assignments = get(XdsResourceHandler.ENDPOINTS);
    Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
    get(XdsResourceHandler.LISTENERS)
        .forEach(
            (name, l) ->
                listeners.put(
                    name,
                    new ListenerConfig(
                        l.name(),
                        l.address(),
                        l.filterChains().stream().map(c -> resolve(c, routes)).toList(),
                        l.tlsInspector())));
    ClusterAssembly clusters = assembleClusters(assignments);
    assembled = clusters;
    return new ProxyConfig(
        listeners, clusters.clusters(), versions, get(XdsResourceHandler.SECRETS));
  }

  /**
   * The clusters with their EDS endpoints put in. A cluster whose decoded resource and endpoints
   * are the very instances it was last assembled from keeps its configuration instance, and with no
   * cluster changed the map is the last one: the sidecar then recognises an unchanged cluster by
   * identity ({@link UpstreamCluster#of}), and a response of another type (a route change) costs no
   * cluster work beyond this walk.
   */
  private ClusterAssembly assembleClusters(Map<String, List<InetSocketAddress>> assignments) {
    Map<String, XdsResourceHandler.DecodedCluster> decodedClusters =
        get(XdsResourceHandler.CLUSTERS);
    if (reusable.fromClusters() == decodedClusters && reusable.fromAssignments() == assignments) {
      // The very CDS and EDS maps it was assembled from (a response of another type replaced
      // only its own map): nothing to walk.
      return reusable;
    }
    Map<String, Assembled> byName = new HashMap<>();
    Map<String, ClusterConfig> clusters = new LinkedHashMap<>();
    boolean changed = false;
    for (var entry : decodedClusters.entrySet()) {
      String name = entry.getKey();
      XdsResourceHandler.DecodedCluster decoded = entry.getValue();
      List<InetSocketAddress> endpoints = null;
      if (decoded.edsServiceName().isPresent()) {
        endpoints = assignments.get(decoded.edsServiceName().get());
        if (endpoints == null) {
          // The cluster is warming, as in Envoy with istiod's initial_fetch_timeout 0s: it waits
          // for its first assignment however long that takes, and until then it is not in
          // service (a route to it answers 503 NC, no cluster found).
          continue;
        }
      }
      Assembled last = reusable.byName().get(name);
      if (last == null || last.cluster() != decoded || last.endpoints() != endpoints) {
        changed = true;
        last =
            new Assembled(
                decoded,
                endpoints,
                endpoints == null ? decoded.config() : decoded.config().withEndpoints(endpoints));
      }
      byName.put(name, last);
      clusters.put(name, last.config());
    }
    if (!changed && byName.size() == reusable.byName().size()) {
      return new ClusterAssembly(
          reusable.byName(), reusable.clusters(), decodedClusters, assignments);
    }
    return new ClusterAssembly(
        Map.copyOf(byName), Map.copyOf(clusters), decodedClusters, assignments);
  }

  private static FilterChainConfig resolve(
      FilterChainConfig chain, Map<String, RouteTable> routes) {
    var hcm = chain.httpConnectionManager();
    return chain.routesResolved()
        ? chain
        : new FilterChainConfig(
            chain.match(),
            hcm.withRoutes(Optional.ofNullable(routes.get(hcm.routeConfigName()))),
            chain.tls(),
            Optional.empty(),
            chain.networkRbac(),
            chain.transportSocketConnectTimeout());
  }
}
