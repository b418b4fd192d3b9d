package dev.meshproof.runtime.xds;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.registry.Hostnames;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * RDS for one proxy: the {@code outbound} route configuration with a virtual host per service port
 * (Istio's domains, one route per VirtualService match, or a catch-all to the whole service), and
 * the inline inbound route of a serving workload. Route timeouts follow the Istio profile.
 */
final class RouteConfigBuilder {
  private final TranslationInput input;

  RouteConfigBuilder(TranslationInput input) {
    this.input = input;
  }

  List<RouteConfiguration> build() {
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    RouteConfiguration.Builder outbound =
        RouteConfiguration.newBuilder().setName(XdsNames.OUTBOUND_ROUTE);
    for (ServiceKey key : services.keySet()) {
      outbound.addVirtualHosts(virtualHost(key, services));
    }
    return List.of(outbound.build());
  }

  /** The inbound listener's routes: everything to the local app. */
  RouteConfiguration inboundRouteConfig(ProxyNode.Inbound inbound) {
    String cluster = XdsNames.inboundCluster(inbound.servicePort());
    return RouteConfiguration.newBuilder()
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
  }

  private VirtualHost virtualHost(
      ServiceKey key, SortedMap<ServiceKey, List<ServiceInstance>> services) {
    VirtualHost.Builder host =
        VirtualHost.newBuilder()
            .setName(key.host() + ":" + key.port())
            .addAllDomains(domains(key, input.proxy().namespace()));
    Optional<VirtualService> vs = input.virtualServiceFor(key.host());
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

  private RouteAction.Builder routeAction() {
    // Istio disables Envoy's 15 s default route timeout unless the VirtualService sets one: the
    // profile's route timeout is zero.
    return RouteAction.newBuilder().setTimeout(XdsProtos.duration(input.profile().routeTimeout()));
  }

  private RouteAction.Builder routeAction(
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
        case PRESENT ->
            throw new IllegalStateException("uri match " + uri + ": PRESENT is for headers only");
      }
    }
    if (match.ignoreUriCase()) {
      out.setCaseSensitive(BoolValue.of(false));
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
    if (match.kind() == StringMatch.Kind.PRESENT) {
      // Istio's translateHeaderMatch for `name: {}`: present_match, inverted for withoutHeaders
      // (header absent), without treat_missing_header_as_empty.
      return HeaderMatcher.newBuilder()
          .setName(name)
          .setPresentMatch(true)
          .setInvertMatch(invert)
          .build();
    }
    StringMatcher.Builder matcher = StringMatcher.newBuilder();
    switch (match.kind()) {
      case EXACT -> matcher.setExact(match.value());
      case PREFIX -> matcher.setPrefix(match.value());
      case REGEX -> matcher.setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value()));
      case PRESENT -> throw new IllegalStateException("handled above");
    }
    return HeaderMatcher.newBuilder()
        .setName(name)
        .setStringMatch(matcher)
        .setInvertMatch(invert)
        .build();
  }
}
