package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.policy.lb.LbPolicy;
import dev.meshproof.runtime.registry.Hostnames;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Translates the applied Istio resources and the service registry into the Envoy v3 resources of
 * one sidecar, shaped as Istio's own translation shapes them (cluster names {@code
 * outbound|80|v1|catalog.default.svc.cluster.local}, one route per VirtualService match, Istio's
 * defaults such as a disabled route timeout). The same output feeds the embedded sidecar and real
 * Envoy: there is no second translation.
 */
public final class XdsTranslator {
  /** Istio's default {@code connectTimeout}. */
  private static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(10).build();

  /** Istio's default load balancer (since 1.14) in the emulated release. */
  static final LbPolicy DEFAULT_LB = LbPolicy.LEAST_REQUEST;

  private static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private XdsTranslator() {}

  /** The complete, versioned xDS snapshot for {@code proxy}. */
  public static Snapshot translate(
      ProxyNode proxy,
      List<VirtualService> virtualServices,
      List<DestinationRule> destinationRules,
      List<ServiceInstance> instances) {
    Map<ServiceKey, List<ServiceInstance>> services = new TreeMap<>();
    for (ServiceInstance instance : instances) {
      services
          .computeIfAbsent(
              new ServiceKey(instance.hostname(), instance.servicePort()), k -> new ArrayList<>())
          .add(instance);
    }

    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    List<VirtualHost> virtualHosts = new ArrayList<>();
    for (Map.Entry<ServiceKey, List<ServiceInstance>> service : services.entrySet()) {
      ServiceKey key = service.getKey();
      Optional<DestinationRule> rule = destinationRuleFor(key.host(), destinationRules);
      LbPolicy serviceLb = rule.flatMap(DestinationRule::loadBalancer).orElse(DEFAULT_LB);
      addEdsCluster(key, "", serviceLb, service.getValue(), Map.of(), clusters, endpoints);
      if (rule.isPresent()) {
        for (DestinationRule.Subset subset : rule.get().subsets()) {
          addEdsCluster(
              key,
              subset.name(),
              subset.loadBalancer().orElse(serviceLb),
              service.getValue(),
              subset.labels(),
              clusters,
              endpoints);
        }
      }
      virtualHosts.add(virtualHost(key, proxy.namespace(), virtualServices, services));
    }

    List<Listener> listeners = new ArrayList<>();
    listeners.add(outboundListener(proxy.outbound()));
    List<RouteConfiguration> routes = new ArrayList<>();
    routes.add(
        RouteConfiguration.newBuilder()
            .setName(XdsNames.OUTBOUND_ROUTE)
            .addAllVirtualHosts(virtualHosts)
            .build());
    proxy
        .inbound()
        .ifPresent(
            inbound -> {
              listeners.add(inboundListener(inbound));
              clusters.add(inboundCluster(inbound));
            });
    String version = contentVersion(clusters, endpoints, listeners, routes);
    return Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version);
  }

  private record ServiceKey(String host, int port) implements Comparable<ServiceKey> {
    @Override
    public int compareTo(ServiceKey other) {
      return Comparator.comparing(ServiceKey::host)
          .thenComparingInt(ServiceKey::port)
          .compare(this, other);
    }
  }

  private static Optional<DestinationRule> destinationRuleFor(
      String host, List<DestinationRule> rules) {
    return rules.stream()
        .filter(r -> Hostnames.resolve(r.host(), r.meta().namespace()).equals(host))
        .findFirst();
  }

  private static void addEdsCluster(
      ServiceKey key,
      String subset,
      LbPolicy lb,
      List<ServiceInstance> instances,
      Map<String, String> selector,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints) {
    String name = XdsNames.outboundCluster(key.port(), subset, key.host());
    clusters.add(
        Cluster.newBuilder()
            .setName(name)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name))
            .setConnectTimeout(CONNECT_TIMEOUT)
            .setLbPolicy(envoyLb(lb))
            .build());
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    instances.stream()
        .filter(i -> i.matches(selector))
        .sorted(Comparator.comparing(ServiceInstance::workload))
        .forEach(i -> locality.addLbEndpoints(lbEndpoint(i.endpoint())));
    endpoints.add(
        ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(locality).build());
  }

  private static Cluster.LbPolicy envoyLb(LbPolicy lb) {
    return switch (lb) {
      case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
      case RANDOM -> Cluster.LbPolicy.RANDOM;
    };
  }

  private static LbEndpoint lbEndpoint(InetSocketAddress address) {
    return LbEndpoint.newBuilder()
        .setEndpoint(Endpoint.newBuilder().setAddress(address(address)))
        .build();
  }

  static Address address(InetSocketAddress address) {
    return Address.newBuilder()
        .setSocketAddress(
            SocketAddress.newBuilder()
                .setAddress(address.getAddress().getHostAddress())
                .setPortValue(address.getPort()))
        .build();
  }

  private static VirtualHost virtualHost(
      ServiceKey key,
      String proxyNamespace,
      List<VirtualService> virtualServices,
      Map<ServiceKey, List<ServiceInstance>> services) {
    VirtualHost.Builder host =
        VirtualHost.newBuilder()
            .setName(key.host() + ":" + key.port())
            .addAllDomains(domains(key, proxyNamespace));
    Optional<VirtualService> vs = virtualServiceFor(key.host(), virtualServices);
    if (vs.isEmpty()) {
      host.addRoutes(
          Route.newBuilder()
              .setName("default")
              .setMatch(RouteMatch.newBuilder().setPrefix("/"))
              .setRoute(
                  routeAction().setCluster(XdsNames.outboundCluster(key.port(), "", key.host()))));
      return host.build();
    }
    for (HttpRoute rule : vs.get().http()) {
      RouteAction.Builder action = routeAction(rule, vs.get().meta().namespace(), key, services);
      if (rule.match().isEmpty()) {
        host.addRoutes(
            Route.newBuilder()
                .setName(rule.name())
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(action));
      }
      for (HttpMatchRequest match : rule.match()) {
        host.addRoutes(
            Route.newBuilder().setName(rule.name()).setMatch(routeMatch(match)).setRoute(action));
      }
    }
    return host.build();
  }

  /**
   * The first VirtualService (by namespace/name) bound to the mesh whose hosts include {@code
   * host}.
   */
  private static Optional<VirtualService> virtualServiceFor(
      String host, List<VirtualService> virtualServices) {
    return virtualServices.stream()
        .filter(vs -> vs.gateways().isEmpty() || vs.gateways().contains("mesh"))
        .filter(
            vs ->
                vs.hosts().stream()
                    .anyMatch(h -> Hostnames.resolve(h, vs.meta().namespace()).equals(host)))
        .findFirst();
  }

  /** The names a caller may put in Host/:authority for this service, as Istio generates them. */
  private static Set<String> domains(ServiceKey key, String proxyNamespace) {
    Set<String> names = new LinkedHashSet<>();
    String host = key.host();
    names.add(host);
    String[] parts = host.split("\\.");
    if (host.endsWith("." + Hostnames.CLUSTER_DOMAIN) && parts.length >= 2) {
      names.add(parts[0] + "." + parts[1] + ".svc");
      names.add(parts[0] + "." + parts[1]);
      if (parts[1].equals(proxyNamespace)) {
        names.add(parts[0]);
      }
    }
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      // The port-less form means the scheme's default port, so only port 80 gets it; another
      // port of the same service must not claim the same domain.
      if (key.port() == 80) {
        out.add(name);
      }
      out.add(name + ":" + key.port());
    }
    return out;
  }

  private static RouteAction.Builder routeAction() {
    // Istio disables Envoy's 15 s default route timeout unless the VirtualService sets one.
    return RouteAction.newBuilder().setTimeout(Duration.newBuilder().setSeconds(0));
  }

  private static RouteAction.Builder routeAction(
      HttpRoute rule,
      String namespace,
      ServiceKey self,
      Map<ServiceKey, List<ServiceInstance>> services) {
    List<RouteDestination> destinations =
        rule.route().stream().filter(d -> d.weight().orElse(100) > 0).toList();
    if (destinations.size() == 1) {
      return routeAction().setCluster(clusterName(destinations.get(0), namespace, self, services));
    }
    WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
    for (RouteDestination destination : destinations) {
      weighted.addClusters(
          WeightedCluster.ClusterWeight.newBuilder()
              .setName(clusterName(destination, namespace, self, services))
              .setWeight(UInt32Value.of(destination.weight().orElse(0))));
    }
    return routeAction().setWeightedClusters(weighted);
  }

  private static String clusterName(
      RouteDestination destination,
      String namespace,
      ServiceKey self,
      Map<ServiceKey, List<ServiceInstance>> services) {
    String host = Hostnames.resolve(destination.destination().host(), namespace);
    int port;
    if (destination.destination().port().isPresent()) {
      port = destination.destination().port().getAsInt();
    } else if (host.equals(self.host())) {
      port = self.port();
    } else {
      // A destination without a port must name a service with exactly one port (Istio's rule).
      port =
          services.keySet().stream()
              .filter(k -> k.host().equals(host))
              .mapToInt(ServiceKey::port)
              .findFirst()
              .orElse(80);
    }
    return XdsNames.outboundCluster(port, destination.destination().subset().orElse(""), host);
  }

  private static RouteMatch routeMatch(HttpMatchRequest match) {
    RouteMatch.Builder out = RouteMatch.newBuilder();
    if (match.uri().isEmpty()) {
      out.setPrefix("/");
    } else {
      StringMatch uri = match.uri().get();
      switch (uri.kind()) {
        case EXACT -> out.setPath(uri.value());
        case PREFIX -> out.setPrefix(uri.value());
        case REGEX -> out.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
      }
    }
    if (match.ignoreUriCase()) {
      out.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
    }
    match.method().ifPresent(m -> out.addHeaders(headerMatcher(":method", m, false)));
    match.authority().ifPresent(m -> out.addHeaders(headerMatcher(":authority", m, false)));
    new TreeMap<>(match.headers())
        .forEach((name, m) -> out.addHeaders(headerMatcher(name, m, false)));
    new TreeMap<>(match.withoutHeaders())
        .forEach((name, m) -> out.addHeaders(headerMatcher(name, m, true)));
    return out.build();
  }

  private static HeaderMatcher headerMatcher(String name, StringMatch match, boolean invert) {
    StringMatcher.Builder matcher = StringMatcher.newBuilder();
    switch (match.kind()) {
      case EXACT -> matcher.setExact(match.value());
      case PREFIX -> matcher.setPrefix(match.value());
      case REGEX -> matcher.setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value()));
    }
    return HeaderMatcher.newBuilder()
        .setName(name)
        .setStringMatch(matcher)
        .setInvertMatch(invert)
        .build();
  }

  private static Listener outboundListener(InetSocketAddress address) {
    HttpConnectionManager hcm =
        httpConnectionManager("outbound")
            .setRds(
                Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(XdsNames.OUTBOUND_ROUTE))
            .build();
    return listener(XdsNames.OUTBOUND_LISTENER, address, TrafficDirection.OUTBOUND, hcm);
  }

  private static Listener inboundListener(ProxyNode.Inbound inbound) {
    String cluster = XdsNames.inboundCluster(inbound.servicePort());
    RouteConfiguration routes =
        RouteConfiguration.newBuilder()
            .setName(cluster)
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("inbound|http|" + inbound.servicePort())
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setName("default")
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(routeAction().setCluster(cluster))))
            .build();
    HttpConnectionManager hcm =
        httpConnectionManager("inbound_" + inbound.servicePort()).setRouteConfig(routes).build();
    return listener(XdsNames.INBOUND_LISTENER, inbound.listener(), TrafficDirection.INBOUND, hcm);
  }

  private static HttpConnectionManager.Builder httpConnectionManager(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setCodecType(HttpConnectionManager.CodecType.AUTO)
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }

  private static Listener listener(
      String name,
      InetSocketAddress address,
      TrafficDirection direction,
      HttpConnectionManager hcm) {
    return Listener.newBuilder()
        .setName(name)
        .setAddress(address(address))
        .setTrafficDirection(direction)
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        // Envoy selects the filter by the typed_config type; this legacy name is
                        // the one java-control-plane's ensureConsistent() follows to RDS names.
                        .setName("envoy.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static Cluster inboundCluster(ProxyNode.Inbound inbound) {
    String name = XdsNames.inboundCluster(inbound.servicePort());
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(CONNECT_TIMEOUT)
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder().addLbEndpoints(lbEndpoint(inbound.app()))))
        .build();
  }

  /**
   * A version derived from the content, so an unchanged configuration keeps its version and a
   * changed one never reuses an old version string.
   */
  @SafeVarargs
  private static String contentVersion(List<? extends Message>... groups) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (List<? extends Message> group : groups) {
        for (Message message : group) {
          digest.update(message.toByteArray());
        }
        digest.update("|".getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
