package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.route.HeaderMatcher;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.RouteMatch;
import dev.meshproof.runtime.policy.route.RouteTable;
import dev.meshproof.runtime.policy.route.StringMatcher;
import dev.meshproof.runtime.policy.route.VirtualHost;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes Envoy v3 resources into the sidecar's immutable routing values, rejecting (so the ADS
 * client NACKs) anything the embedded sidecar cannot honour exactly: silently ignoring a field
 * would make it route differently from Envoy with the same config.
 */
final class XdsDecoder {
  private XdsDecoder() {}

  /** A listener, with its inline route table decoded or the name of its RDS route config. */
  static ListenerConfig listener(Listener listener) {
    InetSocketAddress address =
        socketAddress(listener.getAddress(), "listener " + listener.getName());
    if (listener.getFilterChainsCount() != 1
        || listener.getFilterChains(0).getFiltersCount() != 1) {
      throw new IllegalArgumentException(
          "listener "
              + listener.getName()
              + ": expected exactly one filter chain with one HTTP connection manager filter");
    }
    Filter filter = listener.getFilterChains(0).getFilters(0);
    HttpConnectionManager hcm =
        unpack(
            filter.getTypedConfig(), HttpConnectionManager.class, "listener " + listener.getName());
    if (hcm.hasRds()) {
      return new ListenerConfig(
          listener.getName(), address, hcm.getRds().getRouteConfigName(), Optional.empty());
    }
    if (hcm.hasRouteConfig()) {
      RouteTable table = routes(hcm.getRouteConfig());
      return new ListenerConfig(listener.getName(), address, table.name(), Optional.of(table));
    }
    throw new IllegalArgumentException(
        "listener "
            + listener.getName()
            + ": HTTP connection manager has neither rds nor route_config");
  }

  static RouteTable routes(RouteConfiguration config) {
    List<VirtualHost> hosts = new ArrayList<>();
    for (var vh : config.getVirtualHostsList()) {
      List<Route> routes = new ArrayList<>();
      for (var route : vh.getRoutesList()) {
        String where =
            "route config "
                + config.getName()
                + ", virtual host "
                + vh.getName()
                + ", route '"
                + route.getName()
                + "'";
        routes.add(
            new Route(route.getName(), match(route.getMatch(), where), clusters(route, where)));
      }
      hosts.add(new VirtualHost(vh.getName(), vh.getDomainsList(), routes));
    }
    return new RouteTable(config.getName(), hosts);
  }

  private static RouteMatch match(
      io.envoyproxy.envoy.config.route.v3.RouteMatch match, String where) {
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    Optional<StringMatcher> path =
        switch (match.getPathSpecifierCase()) {
          case PREFIX ->
              match.getPrefix().equals("/")
                  ? Optional.empty()
                  : Optional.of(new StringMatcher.Prefix(match.getPrefix(), !caseSensitive));
          case PATH -> Optional.of(new StringMatcher.Exact(match.getPath(), !caseSensitive));
          case SAFE_REGEX ->
              Optional.of(
                  new StringMatcher.Regex(
                      regex(match.getSafeRegex().getRegex(), caseSensitive, where)));
          default ->
              throw new IllegalArgumentException(
                  where
                      + ": path specifier "
                      + match.getPathSpecifierCase()
                      + " is not supported by the embedded sidecar");
        };
    if (match.getQueryParametersCount() > 0 || match.hasRuntimeFraction() || match.hasGrpc()) {
      throw new IllegalArgumentException(
          where
              + ": query parameter, runtime fraction and gRPC matches are not supported by the embedded sidecar yet");
    }
    List<HeaderMatcher> headers = new ArrayList<>();
    for (var header : match.getHeadersList()) {
      Optional<StringMatcher> value =
          switch (header.getHeaderMatchSpecifierCase()) {
            case STRING_MATCH -> Optional.of(stringMatcher(header.getStringMatch(), where));
            case PRESENT_MATCH -> Optional.empty();
            case EXACT_MATCH -> Optional.of(new StringMatcher.Exact(header.getExactMatch(), false));
            case PREFIX_MATCH ->
                Optional.of(new StringMatcher.Prefix(header.getPrefixMatch(), false));
            case SAFE_REGEX_MATCH ->
                Optional.of(
                    new StringMatcher.Regex(
                        regex(header.getSafeRegexMatch().getRegex(), true, where)));
            default ->
                throw new IllegalArgumentException(
                    where
                        + ": header match "
                        + header.getHeaderMatchSpecifierCase()
                        + " is not supported by the embedded sidecar");
          };
      headers.add(new HeaderMatcher(header.getName(), value, header.getInvertMatch()));
    }
    return new RouteMatch(path, headers);
  }

  private static StringMatcher stringMatcher(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String where) {
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), m.getIgnoreCase());
      case PREFIX -> new StringMatcher.Prefix(m.getPrefix(), m.getIgnoreCase());
      case SAFE_REGEX -> new StringMatcher.Regex(regex(m.getSafeRegex().getRegex(), true, where));
      default ->
          throw new IllegalArgumentException(
              where
                  + ": string match "
                  + m.getMatchPatternCase()
                  + " is not supported by the embedded sidecar");
    };
  }

  private static java.util.regex.Pattern regex(String regex, boolean caseSensitive, String where) {
    try {
      return Re2Syntax.compile(regex, caseSensitive);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static List<WeightedCluster> clusters(
      io.envoyproxy.envoy.config.route.v3.Route route, String where) {
    if (!route.hasRoute()) {
      throw new IllegalArgumentException(
          where
              + ": action "
              + route.getActionCase()
              + " is not supported by the embedded sidecar yet");
    }
    RouteAction action = route.getRoute();
    if (action.hasRetryPolicy()
        || action.getRequestMirrorPoliciesCount() > 0
        || !action.getPrefixRewrite().isEmpty()
        || action.hasRegexRewrite()
        || action.getHashPolicyCount() > 0) {
      throw new IllegalArgumentException(
          where
              + ": retry, mirror, rewrite and hash policies are not supported by the embedded sidecar yet");
    }
    return switch (action.getClusterSpecifierCase()) {
      case CLUSTER -> List.of(new WeightedCluster(action.getCluster(), 1));
      case WEIGHTED_CLUSTERS -> {
        List<WeightedCluster> out = new ArrayList<>();
        for (var c : action.getWeightedClusters().getClustersList()) {
          out.add(new WeightedCluster(c.getName(), c.hasWeight() ? c.getWeight().getValue() : 0));
        }
        try {
          new Route(route.getName(), RouteMatch.any(), out);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        yield out;
      }
      default ->
          throw new IllegalArgumentException(
              where
                  + ": cluster specifier "
                  + action.getClusterSpecifierCase()
                  + " is not supported");
    };
  }

  /** A cluster; EDS clusters come without endpoints, STATIC ones with their inline assignment. */
  static ClusterConfig cluster(Cluster cluster) {
    LbPolicy lb =
        switch (cluster.getLbPolicy()) {
          case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
          case RANDOM -> LbPolicy.RANDOM;
          default ->
              throw new IllegalArgumentException(
                  "cluster "
                      + cluster.getName()
                      + ": lb_policy "
                      + cluster.getLbPolicy()
                      + " is not supported by the embedded sidecar");
        };
    return switch (cluster.getType()) {
      case EDS -> new ClusterConfig(cluster.getName(), lb, List.of());
      case STATIC ->
          new ClusterConfig(cluster.getName(), lb, endpoints(cluster.getLoadAssignment()));
      default ->
          throw new IllegalArgumentException(
              "cluster "
                  + cluster.getName()
                  + ": discovery type "
                  + cluster.getType()
                  + " is not supported by the embedded sidecar");
    };
  }

  /** The EDS service name a cluster's endpoints are published under (its own name by default). */
  static Optional<String> edsServiceName(Cluster cluster) {
    if (cluster.getType() != Cluster.DiscoveryType.EDS) {
      return Optional.empty();
    }
    String name = cluster.getEdsClusterConfig().getServiceName();
    return Optional.of(name.isEmpty() ? cluster.getName() : name);
  }

  static List<InetSocketAddress> endpoints(ClusterLoadAssignment assignment) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        out.add(
            socketAddress(
                endpoint.getEndpoint().getAddress(), "cluster " + assignment.getClusterName()));
      }
    }
    return out;
  }

  private static InetSocketAddress socketAddress(Address address, String where) {
    if (!address.hasSocketAddress()) {
      throw new IllegalArgumentException(where + ": only socket addresses are supported");
    }
    var socket = address.getSocketAddress();
    return new InetSocketAddress(socket.getAddress(), socket.getPortValue());
  }

  static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type, String where) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          where
              + ": cannot decode "
              + any.getTypeUrl()
              + " as "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
