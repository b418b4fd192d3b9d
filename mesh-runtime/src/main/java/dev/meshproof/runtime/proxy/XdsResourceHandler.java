package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One xDS resource type the sidecar's ADS client subscribes to: how its resources decode (a failure
 * NACKs), which subscription its accepted resources ask for next, and its entry in {@code
 * /config_dump}. Adding a type (SDS secrets, a gateway's listeners) is one more handler in {@link
 * #ALL}, not edits across the client.
 *
 * @param <T> the decoded value of one resource
 */
sealed interface XdsResourceHandler<T> {

  /** CDS: clusters, and the EDS service names they ask for. */
  Clusters CLUSTERS = new Clusters();

  /** LDS: listeners, and the RDS route configs they name. */
  Listeners LISTENERS = new Listeners();

  /** RDS: route configurations by name. */
  Routes ROUTES = new Routes();

  /** EDS: endpoints by EDS service name. */
  Endpoints ENDPOINTS = new Endpoints();

  /**
   * SDS over ADS: the workload certificate and the root. Subscribed as a wildcard (every secret of
   * the proxy) where Envoy asks for the names its clusters and listeners reference; with istiod's
   * two names, the same secrets arrive.
   */
  Secrets SECRETS = new Secrets();

  /**
   * Every type, in {@code /config_dump} order. Wildcard types are subscribed first in this order,
   * then each one's follow-up type in the same order: Envoy's CDS, LDS, then EDS, RDS.
   */
  List<XdsResourceHandler<?>> ALL = List.of(CLUSTERS, LISTENERS, ROUTES, ENDPOINTS, SECRETS);

  /**
   * Envoy's subscription order, derived from the handlers: the wildcard types, then the types they
   * name, each group in handler order (CDS, LDS, EDS, RDS).
   */
  static List<String> subscriptionOrder(Collection<XdsResourceHandler<?>> handlers) {
    List<String> order = new ArrayList<>();
    handlers.stream().filter(XdsResourceHandler::wildcard).forEach(h -> order.add(h.typeUrl()));
    handlers.stream()
        .filter(XdsResourceHandler::wildcard)
        .forEach(h -> h.followUpTypeUrl().ifPresent(order::add));
    return List.copyOf(order);
  }

  String typeUrl();

  /** True for the types subscribed as wildcards (all resources) when the stream opens. */
  boolean wildcard();

  /**
   * Decodes a state-of-the-world response into resources by name.
   *
   * @throws IllegalArgumentException for a resource the sidecar cannot honour (NACK)
   */
  Map<String, T> decode(List<Any> resources);

  /** The type this type's resources name (CDS names EDS services, LDS names RDS configs). */
  default Optional<String> followUpTypeUrl() {
    return Optional.empty();
  }

  /** The names to subscribe to in {@link #followUpTypeUrl()}, sorted, given accepted resources. */
  default List<String> followUpNames(XdsResources accepted) {
    return List.of();
  }

  /** This type's entry of {@code /config_dump}, from the accepted resources and their version. */
  Any configDump(List<Any> accepted, String version);

  /** A decoded cluster and, for an EDS cluster, the service name its endpoints come under. */
  record DecodedCluster(ClusterConfig config, Optional<String> edsServiceName) {}

  /** See {@link #CLUSTERS}. */
  final class Clusters implements XdsResourceHandler<DecodedCluster> {
    private Clusters() {}

    @Override
    public String typeUrl() {
      return XdsNames.TYPE_CLUSTER;
    }

    @Override
    public boolean wildcard() {
      return true;
    }

    @Override
    public Map<String, DecodedCluster> decode(List<Any> resources) {
      Map<String, DecodedCluster> decoded = new LinkedHashMap<>();
      for (Any any : resources) {
        SharedXdsResources.Named<DecodedCluster> named =
            SharedXdsResources.JVM.decoded(
                any,
                a -> {
                  Cluster cluster = XdsDecoder.unpack(a, Cluster.class, "CDS");
                  return new SharedXdsResources.Named<>(
                      cluster.getName(),
                      new DecodedCluster(
                          ClusterDecoder.cluster(cluster), ClusterDecoder.edsServiceName(cluster)));
                });
        decoded.put(named.name(), named.config());
      }
      return decoded;
    }

    @Override
    public Optional<String> followUpTypeUrl() {
      return Optional.of(XdsNames.TYPE_ENDPOINT);
    }

    @Override
    public List<String> followUpNames(XdsResources accepted) {
      TreeSet<String> names = new TreeSet<>();
      accepted.get(this).values().forEach(c -> c.edsServiceName().ifPresent(names::add));
      return List.copyOf(names);
    }

    @Override
    public Any configDump(List<Any> accepted, String version) {
      ClustersConfigDump.Builder dump = ClustersConfigDump.newBuilder();
      for (Any cluster : accepted) {
        dump.addDynamicActiveClusters(
            ClustersConfigDump.DynamicCluster.newBuilder()
                .setVersionInfo(version)
                .setCluster(cluster));
      }
      return Any.pack(dump.build());
    }
  }

  /** See {@link #LISTENERS}. */
  final class Listeners implements XdsResourceHandler<ListenerConfig> {
    private Listeners() {}

    @Override
    public String typeUrl() {
      return XdsNames.TYPE_LISTENER;
    }

    @Override
    public boolean wildcard() {
      return true;
    }

    @Override
    public Map<String, ListenerConfig> decode(List<Any> resources) {
      Map<String, ListenerConfig> decoded = new LinkedHashMap<>();
      for (Any any : resources) {
        Listener listener = XdsDecoder.unpack(any, Listener.class, "LDS");
        decoded.put(listener.getName(), ListenerDecoder.listener(listener));
      }
      return decoded;
    }

    @Override
    public Optional<String> followUpTypeUrl() {
      return Optional.of(XdsNames.TYPE_ROUTE);
    }

    @Override
    public List<String> followUpNames(XdsResources accepted) {
      TreeSet<String> names = new TreeSet<>();
      for (ListenerConfig listener : accepted.get(this).values()) {
        for (FilterChainConfig chain : listener.filterChains()) {
          if (!chain.routesResolved()) {
            names.add(chain.httpConnectionManager().routeConfigName());
          }
        }
      }
      return List.copyOf(names);
    }

    @Override
    public Any configDump(List<Any> accepted, String version) {
      ListenersConfigDump.Builder dump = ListenersConfigDump.newBuilder();
      for (Any any : accepted) {
        String name = XdsDecoder.unpack(any, Listener.class, "LDS").getName();
        dump.addDynamicListeners(
            ListenersConfigDump.DynamicListener.newBuilder()
                .setName(name)
                .setActiveState(
                    ListenersConfigDump.DynamicListenerState.newBuilder()
                        .setVersionInfo(version)
                        .setListener(any)));
      }
      return Any.pack(dump.build());
    }
  }

  /** See {@link #ROUTES}. */
  final class Routes implements XdsResourceHandler<RouteTable> {
    private Routes() {}

    @Override
    public String typeUrl() {
      return XdsNames.TYPE_ROUTE;
    }

    @Override
    public boolean wildcard() {
      return false;
    }

    @Override
    public Map<String, RouteTable> decode(List<Any> resources) {
      Map<String, RouteTable> decoded = new LinkedHashMap<>();
      for (Any any : resources) {
        SharedXdsResources.Named<RouteTable> named =
            SharedXdsResources.JVM.decoded(
                any,
                a -> {
                  RouteConfiguration config = XdsDecoder.unpack(a, RouteConfiguration.class, "RDS");
                  return new SharedXdsResources.Named<>(
                      config.getName(), RouteDecoder.routes(config));
                });
        decoded.put(named.name(), named.config());
      }
      return decoded;
    }

    @Override
    public Any configDump(List<Any> accepted, String version) {
      RoutesConfigDump.Builder dump = RoutesConfigDump.newBuilder();
      for (Any any : accepted) {
        dump.addDynamicRouteConfigs(
            RoutesConfigDump.DynamicRouteConfig.newBuilder()
                .setVersionInfo(version)
                .setRouteConfig(any));
      }
      return Any.pack(dump.build());
    }
  }

  /** See {@link #ENDPOINTS}. */
  final class Endpoints implements XdsResourceHandler<List<InetSocketAddress>> {
    private Endpoints() {}

    @Override
    public String typeUrl() {
      return XdsNames.TYPE_ENDPOINT;
    }

    @Override
    public boolean wildcard() {
      return false;
    }

    @Override
    public Map<String, List<InetSocketAddress>> decode(List<Any> resources) {
      Map<String, List<InetSocketAddress>> decoded = new LinkedHashMap<>();
      for (Any any : resources) {
        SharedXdsResources.Named<List<InetSocketAddress>> named =
            SharedXdsResources.JVM.decoded(
                any,
                a -> {
                  ClusterLoadAssignment assignment =
                      XdsDecoder.unpack(a, ClusterLoadAssignment.class, "EDS");
                  return new SharedXdsResources.Named<>(
                      assignment.getClusterName(), EndpointDecoder.endpoints(assignment));
                });
        decoded.put(named.name(), named.config());
      }
      return decoded;
    }

    @Override
    public Any configDump(List<Any> accepted, String version) {
      EndpointsConfigDump.Builder dump = EndpointsConfigDump.newBuilder();
      for (Any any : accepted) {
        dump.addDynamicEndpointConfigs(
            EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
                .setVersionInfo(version)
                .setEndpointConfig(any));
      }
      return Any.pack(dump.build());
    }
  }

  /** See {@link #SECRETS}. */
  final class Secrets implements XdsResourceHandler<ProxyConfig.SecretConfig> {
    private Secrets() {}

    @Override
    public String typeUrl() {
      return XdsNames.TYPE_SECRET;
    }

    @Override
    public boolean wildcard() {
      return true;
    }

    @Override
    public Map<String, ProxyConfig.SecretConfig> decode(List<Any> resources) {
      Map<String, ProxyConfig.SecretConfig> decoded = new LinkedHashMap<>();
      for (Any any : resources) {
        Secret secret = XdsDecoder.unpack(any, Secret.class, "SDS");
        decoded.put(secret.getName(), TlsDecoder.secret(secret));
      }
      return decoded;
    }

    @Override
    public Any configDump(List<Any> accepted, String version) {
      // As Envoy's SecretsConfigDump: names and versions; key material is not dumped.
      SecretsConfigDump.Builder dump = SecretsConfigDump.newBuilder();
      for (Any any : accepted) {
        Secret secret = XdsDecoder.unpack(any, Secret.class, "SDS");
        dump.addDynamicActiveSecrets(
            SecretsConfigDump.DynamicSecret.newBuilder()
                .setName(secret.getName())
                .setVersionInfo(version)
                .setSecret(Any.pack(Secret.newBuilder().setName(secret.getName()).build())));
      }
      return Any.pack(dump.build());
    }
  }
}
