package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.policy.route.RouteTable;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a sidecar routes by, decoded once per xDS update into immutable values. The proxy
 * swaps the whole object through one volatile reference and reads it once per request, so a request
 * never sees half an update.
 */
public record ProxyConfig(
    Map<String, ListenerConfig> listeners,
    Map<String, ClusterConfig> clusters,
    Map<String, String> versions) {

  public static final ProxyConfig EMPTY = new ProxyConfig(Map.of(), Map.of(), Map.of());

  public ProxyConfig {
    listeners = Map.copyOf(listeners);
    clusters = Map.copyOf(clusters);
    versions = Map.copyOf(versions);
  }

  /**
   * A listener: where it binds and its routes, either inline or by RDS name (empty while the named
   * route configuration has not arrived, as an Envoy listener warms).
   */
  public record ListenerConfig(
      String name,
      InetSocketAddress address,
      String routeConfigName,
      Optional<RouteTable> routes) {}

  /** A cluster with its load-balancing policy and current endpoints. */
  public record ClusterConfig(String name, LbPolicy lbPolicy, List<InetSocketAddress> endpoints) {
    public ClusterConfig {
      endpoints = List.copyOf(endpoints);
    }
  }
}
