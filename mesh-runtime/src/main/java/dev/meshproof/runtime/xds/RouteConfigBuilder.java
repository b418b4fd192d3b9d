package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.config.StringMatch;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.HttpMatchRequest;
import dev.meshproof.runtime.config.VirtualService.HttpRoute;
import dev.meshproof.runtime.registry.Hostnames;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * RDS for one proxy: a route configuration per HTTP service port ({@code 9080}) with a virtual host
 * per service on that port (Istio's domains, one route per VirtualService match, or a catch-all to
 * the whole service), and the inline inbound route of a serving workload. Route timeouts follow the
 * Istio profile; every outbound route carries istiod's retry policy (the default one, or the
 * VirtualService's {@code retries}), and outbound virtual hosts ask for {@code
 * x-envoy-attempt-count}, as istiod's {@code buildSidecarOutboundVirtualHosts} does. The route
 * actions come from {@link RouteActionBuilder} (with {@link RetryPolicyBuilder} and {@link
 * HashPolicyBuilder}); this class assembles the route configurations, virtual hosts and routes.
 */
final class RouteConfigBuilder {
  private final TranslationInput input;
  private final HashPolicyBuilder hashPolicies;
  private final RetryPolicyBuilder retryPolicies;
  private final RouteActionBuilder routeActions;

  RouteConfigBuilder(TranslationInput input) {
    this.input = input;
    this.hashPolicies = new HashPolicyBuilder(input);
    this.retryPolicies = new RetryPolicyBuilder(input);
    this.routeActions = new RouteActionBuilder(input, hashPolicies, retryPolicies);
  }

  List<RouteConfiguration> build() {
    return guardOriginalDestinations(
        input.proxy().isGateway() ? gatewayRouteConfigs() : sidecarRouteConfigs());
  }

  /**
   * The loopback guard of resolution NONE entries: every route whose destination is (or whose
   * weighted destinations include) an original-destination cluster also requires an {@code
   * :authority} that is one of the entry's addresses (loopback only, the parser's check) with one
   * of its ports, {@code (127\\.0\\.0\\.5):(8080|9090)}, since that cluster connects wherever the
   * authority points. Any other authority finds no route there (404 NR, or the next route that
   * matches): so no VirtualService (a host of its own, an {@code authority} rewrite applied after
   * the match) and no caller can send it off loopback.
   */
  private List<RouteConfiguration> guardOriginalDestinations(List<RouteConfiguration> configs) {
    // cluster name -> the authorities it may be sent: the entry's addresses with its ports.
    java.util.Map<String, String> originalDestination = new java.util.HashMap<>();
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    for (OutboundCluster cluster : input.outboundClusters()) {
      if (!dev.meshproof.runtime.registry.OriginalDestinationEndpoint.any(
          services.get(cluster.service()))) {
        continue;
      }
      Set<String> addresses = new java.util.TreeSet<>();
      Set<Integer> ports = new java.util.TreeSet<>();
      services.forEach(
          (key, instances) -> {
            if (key.host().equals(cluster.service().host())) {
              for (ServiceInstance i : instances) {
                dev.meshproof.runtime.registry.OriginalDestinationEndpoint.address(i.endpoint())
                    .ifPresent(
                        a -> {
                          addresses.add(a.replace(".", "\\.")); // an IPv4 literal
                          ports.add(key.port()); // the port dialled, not a targetPort
                        });
              }
            }
          });
      originalDestination.put(
          cluster.name(),
          "("
              + String.join("|", addresses)
              + "):("
              + String.join("|", ports.stream().map(String::valueOf).toList())
              + ")");
    }
    if (originalDestination.isEmpty()) {
      return configs;
    }
    List<RouteConfiguration> guarded = new ArrayList<>();
    for (RouteConfiguration config : configs) {
      RouteConfiguration.Builder out = config.toBuilder();
      for (VirtualHost.Builder host : out.getVirtualHostsBuilderList()) {
        for (Route.Builder route : host.getRoutesBuilderList()) {
          if (!route.hasRoute()) {
            continue;
          }
          RouteAction action = route.getRoute();
          Set<String> allowed = new java.util.TreeSet<>();
          java.util.Optional.ofNullable(originalDestination.get(action.getCluster()))
              .ifPresent(allowed::add);
          action.getWeightedClusters().getClustersList().stream()
              .map(w -> originalDestination.get(w.getName()))
              .filter(java.util.Objects::nonNull)
              .forEach(allowed::add);
          if (!allowed.isEmpty()) {
            route
                .getMatchBuilder()
                .addHeaders(
                    HeaderMatcher.newBuilder()
                        .setName(":authority")
                        .setStringMatch(
                            StringMatcher.newBuilder()
                                .setSafeRegex(
                                    RegexMatcher.newBuilder()
                                        .setRegex(String.join("|", allowed)))));
          }
        }
      }
      guarded.add(out.build());
    }
    return guarded;
  }

  /**
   * The sidecar's outbound route configurations, one per HTTP service port it sees, as istiod's
   * {@code buildSidecarOutboundHTTPRouteConfig} (httproute.go) builds them: named by the port
   * ({@link XdsNames#outboundHttpRoute}), {@code ignore_port_in_host_matching} set (istiod sets it
   * for every sidecar), a virtual host {@code <host>:<port>} per service on that port with istiod's
   * port-less domains (a domain repeated within one configuration is dropped, as istiod's {@code
   * dedupeDomains} does), the virtual hosts of VirtualService-only hosts on that port, then the
   * catch-all virtual host.
   */
  private List<RouteConfiguration> sidecarRouteConfigs() {
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    List<RouteConfiguration> configs = new ArrayList<>();
    for (int port : httpPorts(input)) {
      RouteConfiguration.Builder config =
          RouteConfiguration.newBuilder()
              .setName(XdsNames.outboundHttpRoute(port))
              .setIgnorePortInHostMatching(true);
      Set<String> claimed = new HashSet<>();
      for (ServiceKey key : services.keySet()) {
        if (key.port() != port || input.isTcp(key, services.get(key))) {
          continue; // a TCP port gets a tcp_proxy listener (TcpListenerBuilder), no virtual host
        }
        // A resolution NONE entry is also dialled at its (loopback) addresses, which istiod's
        // generateVirtualHostDomains adds as the service's VIPs.
        List<String> names = new ArrayList<>(domains(key, input.proxy().namespace()));
        services.get(key).stream()
            .map(
                i ->
                    dev.meshproof.runtime.registry.OriginalDestinationEndpoint.address(
                        i.endpoint()))
            .flatMap(java.util.Optional::stream)
            .distinct()
            .forEach(names::add);
        List<String> domains = names.stream().filter(claimed::add).toList();
        if (!domains.isEmpty()) {
          config.addVirtualHosts(virtualHost(key, domains, services));
        }
      }
      config.addAllVirtualHosts(virtualServiceOnlyHosts(port, services, claimed));
      // istiod appends the catch-all virtual host after the sorted service virtual hosts.
      config.addVirtualHosts(catchAllVirtualHost());
      configs.add(config.build());
    }
    return configs;
  }

  /**
   * The HTTP service ports a sidecar sees, ascending: one outbound HTTP listener and route
   * configuration each.
   */
  static java.util.SortedSet<Integer> httpPorts(TranslationInput input) {
    java.util.SortedSet<Integer> ports = new java.util.TreeSet<>();
    input
        .services()
        .forEach(
            (key, instances) -> {
              if (!input.isTcp(key, instances)) {
                ports.add(key.port());
              }
            });
    return ports;
  }

  /**
   * The route configuration of {@code virtualOutbound} ({@link XdsNames#OUTBOUND_LISTENER}), inline
   * in that listener: only the catch-all virtual host, for destinations on a port no HTTP service
   * the proxy sees has (what istiod's {@code virtualOutbound} passes through or blackholes).
   */
  RouteConfiguration virtualOutboundRouteConfig() {
    return RouteConfiguration.newBuilder()
        .setName(XdsNames.OUTBOUND_LISTENER)
        .setIgnorePortInHostMatching(true)
        .addVirtualHosts(catchAllVirtualHost())
        .build();
  }

  /**
   * The gateway's route configurations, one {@code http.<port>} per listener port with plain HTTP
   * servers ({@link GatewayServers}: a server on Service port 80 listens on 8080), as istiod's
   * {@code buildGatewayHTTPRouteConfig} (pilot/pkg/networking/core/gateway.go :397): for each
   * server on the port, each VirtualService bound to its Gateway ({@code gateways: [name]}, {@code
   * <namespace>/<name>}) and exported to the gateway's namespace, one virtual host per host in both
   * the server's and the VirtualService's hosts ({@link GatewayHosts}), named {@code <host>:<port>}
   * with that host as its only domain and the VirtualService's routes for this gateway (several
   * VirtualServices on one host append their routes, oldest first); without any, {@code
   * blackhole:<port>} with domain {@code *} and no routes, so every request answers 404 NR. Virtual
   * hosts sorted by name.
   */
  List<RouteConfiguration> gatewayRouteConfigs() {
    List<RouteConfiguration> configs = new ArrayList<>();
    for (GatewayServers.Merged merged : GatewayServers.of(input).values()) {
      if (merged.kind() == GatewayServers.Kind.HTTP) {
        configs.add(
            gatewayRouteConfig(XdsNames.gatewayRoute(merged.listenerPort()), merged.servers()));
      } else if (merged.kind() == GatewayServers.Kind.TLS) {
        // gateway.go buildGatewayHTTPRouteConfig: a TLS-terminating HTTPS server has a route
        // configuration of its own (https.<port>.<name>.<gateway>.<namespace>), with only its
        // hosts' virtual hosts, so its SNI-selected chain serves nothing of another server.
        for (GatewayServers.Bound bound : merged.servers()) {
          if (bound.terminatesTls()) {
            configs.add(gatewayRouteConfig(bound.httpsRouteName(), List.of(bound)));
          }
        }
      }
    }
    return configs;
  }

  private RouteConfiguration gatewayRouteConfig(String name, List<GatewayServers.Bound> servers) {
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    Map<String, VirtualHost.Builder> hosts = new java.util.TreeMap<>();
    for (GatewayServers.Bound bound : servers) {
      dev.meshproof.runtime.config.Gateway gateway = bound.gateway();
      dev.meshproof.runtime.config.Gateway.Server server = bound.server();
      String gatewayName = bound.gatewayName();
      // Virtual host names and route port matches use the server's port, not the listener's.
      int port = server.port();
      for (VirtualService vs : input.virtualServices()) {
        if (!vs.boundTo(gatewayName) || vs.visibilityRankFor(input.proxy().namespace()).isEmpty()) {
          continue;
        }
        List<String> vsHosts =
            vs.hosts().stream().map(h -> Hostnames.resolve(h, vs.meta().namespace())).toList();
        List<String> matching =
            GatewayHosts.intersection(
                GatewayHosts.serverHostsFor(
                    server.hosts(), gateway.meta().namespace(), vs.meta().namespace()),
                vsHosts);
        if (matching.isEmpty()) {
          continue;
        }
        List<Route> routes = gatewayRoutes(vs, gatewayName, port, services);
        for (String host : matching) {
          VirtualHost.Builder vhost =
              hosts
                  .computeIfAbsent(
                      host,
                      h ->
                          VirtualHost.newBuilder()
                              .setName(h + ":" + port)
                              .addDomains(h)
                              .setIncludeRequestAttemptCount(true))
                  .addAllRoutes(routes);
          // gateway.go buildGatewayHTTPRouteConfig: a server with tls.httpsRedirect makes the
          // virtual host (new or merged) require TLS, Envoy's 301 to https.
          if (server.httpsRedirect()) {
            vhost.setRequireTls(VirtualHost.TlsRequirementType.ALL);
          }
        }
      }
    }
    RouteConfiguration.Builder config =
        RouteConfiguration.newBuilder()
            .setName(name)
            .setValidateClusters(BoolValue.of(false))
            .setIgnorePortInHostMatching(true);
    if (hosts.isEmpty()) {
      config.addVirtualHosts(
          VirtualHost.newBuilder()
              .setName("blackhole:" + servers.get(0).server().port())
              .addDomains("*"));
    } else {
      hosts.values().stream()
          .map(VirtualHost.Builder::build)
          .sorted(Comparator.comparing(VirtualHost::getName))
          .forEach(config::addVirtualHosts);
    }
    return config.build();
  }

  /**
   * istiod's {@code BuildHTTPRoutesForVirtualService} for a gateway: the rules' matches that apply
   * on {@code gateway} ({@link HttpMatchRequest#appliesTo}), on the server's port and for the
   * gateway pod's labels and namespace; a rule without a match is a catch-all.
   */
  private List<Route> gatewayRoutes(
      VirtualService vs,
      String gateway,
      int port,
      SortedMap<ServiceKey, List<ServiceInstance>> services) {
    // No service of its own: a destination without a port takes its service's only port.
    ServiceKey self = new ServiceKey("", port);
    List<Route> routes = new ArrayList<>();
    for (HttpRoute rule : vs.http()) {
      if (rule.match().isEmpty()) {
        routes.add(
            route(
                rule,
                rule.name(),
                RouteMatch.newBuilder().setPrefix("/").build(),
                vs,
                self,
                services));
      }
      for (HttpMatchRequest match : rule.match()) {
        if (!match.appliesTo(gateway, vs)
            || (match.port().isPresent() && match.port().getAsInt() != port)
            || !sourceMatches(match)) {
          continue;
        }
        String name = match.name().isEmpty() ? rule.name() : rule.name() + "." + match.name();
        routes.add(route(rule, name, routeMatch(match), vs, self, services));
      }
    }
    return routes;
  }

  /**
   * A host that names the loopback address and a port: the only destination the {@code
   * PassthroughCluster} may reach here.
   */
  static final String LOOPBACK_AUTHORITY_REGEX = "127\\.0\\.0\\.1:[0-9]{1,5}";

  /**
   * istiod's {@code buildCatchAllVirtualHost} (httproute.go :789) for hosts outside the registry.
   * {@code REGISTRY_ONLY}: {@code block_all} answers 502. {@code ALLOW_ANY}: {@code allow_any}
   * routes to the {@code PassthroughCluster} with the timeout disabled and no retry policy; a
   * deliberate difference, so that nothing leaves loopback: only an authority {@code
   * 127.0.0.1:<port>} takes that route, and any other one takes {@code allow_any_not_loopback} to
   * the {@code BlackHoleCluster} (503 UH, what Envoy's {@code PassthroughCluster} answers here for
   * an authority that is not an address). ALLOW_ANY with the Sidecar's {@code egressProxy}: the one
   * {@code allow_any} route goes to the egress proxy's cluster instead ({@link
   * #egressProxyCluster}).
   */
  private VirtualHost catchAllVirtualHost() {
    VirtualHost.Builder host =
        VirtualHost.newBuilder().addDomains("*").setIncludeRequestAttemptCount(true);
    RouteMatch any = RouteMatch.newBuilder().setPrefix("/").build();
    Optional<dev.meshproof.runtime.config.Destination> egressProxy =
        input.proxy().scope().egressProxy();
    if (input.outboundTrafficPolicy()
            == dev.meshproof.runtime.config.OutboundTrafficPolicy.ALLOW_ANY
        && egressProxy.isPresent()) {
      // istiod: GetDestinationCluster(egressProxy, nil, 0), the host as written, no registry
      // lookup; the egress proxy is a mesh service, so no loopback guard is needed.
      return host.setName("allow_any")
          .addRoutes(
              Route.newBuilder()
                  .setName("allow_any")
                  .setMatch(any)
                  .setRoute(
                      routeActions.routeAction().setCluster(egressProxyCluster(egressProxy.get()))))
          .build();
    }
    return switch (input.outboundTrafficPolicy()) {
      case REGISTRY_ONLY ->
          host.setName("block_all")
              .addRoutes(
                  Route.newBuilder()
                      .setName("block_all")
                      .setMatch(any)
                      .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502)))
              .build();
      case ALLOW_ANY ->
          host.setName("allow_any")
              .addRoutes(
                  Route.newBuilder()
                      .setName("allow_any")
                      .setMatch(
                          any.toBuilder()
                              .addHeaders(
                                  HeaderMatcher.newBuilder()
                                      .setName(":authority")
                                      .setStringMatch(
                                          StringMatcher.newBuilder()
                                              .setSafeRegex(
                                                  RegexMatcher.newBuilder()
                                                      .setRegex(LOOPBACK_AUTHORITY_REGEX)))))
                      .setRoute(
                          routeActions.routeAction().setCluster(XdsNames.PASSTHROUGH_CLUSTER)))
              .addRoutes(
                  Route.newBuilder()
                      .setName("allow_any_not_loopback")
                      .setMatch(any)
                      .setRoute(routeActions.routeAction().setCluster(XdsNames.BLACKHOLE_CLUSTER)))
              .build();
    };
  }

  /**
   * The cluster of a Sidecar's {@code egressProxy}, as istiod's {@code GetDestinationCluster(dest,
   * nil, 0)} names it (route/route.go): {@code outbound|<port>|<subset>|<host>} with the host as
   * written, since no service is looked up.
   */
  static String egressProxyCluster(dev.meshproof.runtime.config.Destination egressProxy) {
    return "outbound|"
        + egressProxy.port().orElse(0)
        + "|"
        + egressProxy.subset().orElse("")
        + "|"
        + egressProxy.host();
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
                        .setRoute(routeActions.routeAction().setCluster(cluster))))
        .build();
  }

  private VirtualHost virtualHost(
      ServiceKey key, List<String> domains, SortedMap<ServiceKey, List<ServiceInstance>> services) {
    VirtualHost.Builder host =
        VirtualHost.newBuilder()
            .setName(key.host() + ":" + key.port())
            .addAllDomains(domains)
            .setIncludeRequestAttemptCount(true);
    Optional<VirtualService> vs = input.virtualServiceFor(key.host());
    if (vs.isEmpty()) {
      host.addRoutes(
          Route.newBuilder()
              .setName("default")
              .setMatch(RouteMatch.newBuilder().setPrefix("/"))
              .setRoute(
                  hashPolicies.withHash(
                      routeActions
                          .routeAction()
                          .setCluster(XdsNames.outboundCluster(key.port(), "", key.host()))
                          .setRetryPolicy(
                              retryPolicies.defaultRetryPolicy(
                                  input.serviceHashPolicyFor(key.host(), key.port()).isPresent())),
                      input.serviceHashPolicyFor(key.host(), key.port()))));
      return host.build();
    }
    addVirtualServiceRoutes(host, vs.get(), key, services);
    return host.build();
  }

  /**
   * The sidecar routes of {@code vs} on the service port {@code key} (istiod's {@code
   * BuildHTTPRoutesForVirtualService} with {@code listenPort} = the port): a rule without a match
   * is a catch-all; a match on another port, for other source labels or namespace, or bound to
   * other gateways yields no route here.
   */
  private void addVirtualServiceRoutes(
      VirtualHost.Builder host,
      VirtualService vs,
      ServiceKey key,
      SortedMap<ServiceKey, List<ServiceInstance>> services) {
    for (HttpRoute rule : vs.http()) {
      if (rule.match().isEmpty()) {
        host.addRoutes(
            route(
                rule,
                rule.name(),
                RouteMatch.newBuilder().setPrefix("/").build(),
                vs,
                key,
                services));
      }
      for (HttpMatchRequest match : rule.match()) {
        // istiod TranslateRoute: a match on another port, or on other source labels / namespace,
        // is not this proxy's route on this port.
        if (match.port().isPresent() && match.port().getAsInt() != key.port()) {
          continue;
        }
        if (!sourceMatches(match) || !match.appliesTo(VirtualService.MESH, vs)) {
          continue;
        }
        String name = match.name().isEmpty() ? rule.name() : rule.name() + "." + match.name();
        host.addRoutes(route(rule, name, routeMatch(match), vs, key, services));
      }
    }
  }

  /**
   * Virtual hosts for the hosts of mesh-bound VirtualServices that name no service in the proxy's
   * registry (e.g. {@code bookinfo.com} beside {@code productpage}), as istiod's {@code
   * separateVSHostsAndServices} / {@code BuildSidecarOutboundVirtualHosts} build them
   * (route/route.go, httproute.go): one virtual host {@code <host>:<port>} with the host as its
   * only domain (the port is ignored in host matching) and the VirtualService's routes, in the
   * route configuration of each HTTP port of the VirtualService's own services; a VirtualService
   * with no service at all gets it only on port 80, istiod's "gross HACK", and only when the proxy
   * has an HTTP service on port 80 (else istiod has no route configuration {@code 80} to put it
   * in). A wildcard host that matches no service counts as such a host. VirtualServices oldest
   * first; a domain already claimed (by a service or an older VirtualService) is dropped, as
   * istiod's {@code dedupeDomains}.
   */
  private List<VirtualHost> virtualServiceOnlyHosts(
      int listenerPort,
      SortedMap<ServiceKey, List<ServiceInstance>> services,
      Set<String> claimed) {
    java.util.SortedSet<Integer> httpPorts80 = new java.util.TreeSet<>();
    Map<String, java.util.SortedSet<Integer>> httpPortsByHost = new java.util.HashMap<>();
    for (Map.Entry<ServiceKey, List<ServiceInstance>> e : services.entrySet()) {
      if (input.isTcp(e.getKey(), e.getValue())) {
        continue;
      }
      httpPortsByHost
          .computeIfAbsent(e.getKey().host(), h -> new java.util.TreeSet<>())
          .add(e.getKey().port());
      if (e.getKey().port() == 80) {
        httpPorts80.add(80);
      }
    }
    Set<String> registryHosts =
        services.keySet().stream()
            .map(ServiceKey::host)
            .collect(java.util.stream.Collectors.toSet());
    List<VirtualHost> hosts = new ArrayList<>();
    for (VirtualService vs : input.virtualServices()) {
      if (!vs.boundTo(VirtualService.MESH)
          || vs.visibilityRankFor(input.proxy().namespace()).isEmpty()
          || !input.importedByScope(vs)) {
        continue;
      }
      List<String> others = new ArrayList<>();
      java.util.SortedSet<Integer> ports = new java.util.TreeSet<>();
      for (String written : vs.hosts()) {
        String host =
            Hostnames.resolve(written, vs.meta().namespace()).toLowerCase(java.util.Locale.ROOT);
        List<String> matching =
            registryHosts.stream()
                .filter(
                    h -> h.equals(host) || (host.startsWith("*") && h.endsWith(host.substring(1))))
                .toList();
        if (matching.isEmpty()) {
          others.add(host);
        }
        matching.forEach(
            h -> ports.addAll(httpPortsByHost.getOrDefault(h, new java.util.TreeSet<>())));
      }
      if (others.isEmpty()) {
        continue;
      }
      if (ports.isEmpty()) {
        ports.addAll(httpPorts80);
      }
      if (!ports.contains(listenerPort)) {
        continue;
      }
      int port = listenerPort;
      for (String host : others) {
        if (!claimed.add(host)) {
          continue;
        }
        VirtualHost.Builder vhost =
            VirtualHost.newBuilder()
                .setName(host + ":" + port)
                .addDomains(host)
                .setIncludeRequestAttemptCount(true);
        addVirtualServiceRoutes(vhost, vs, new ServiceKey(host, port), services);
        if (vhost.getRoutesCount() > 0) {
          hosts.add(vhost.build());
        }
      }
    }
    return hosts;
  }

  /**
   * istiod's {@code sourceMatchHTTP}: the match's {@code sourceLabels} are a subset of the proxy's
   * labels and its {@code sourceNamespace}, if any, is the proxy's namespace.
   */
  private boolean sourceMatches(HttpMatchRequest match) {
    Map<String, String> labels = input.proxy().labels();
    boolean labelsMatch =
        match.sourceLabels().entrySet().stream()
            .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    return labelsMatch
        && match.sourceNamespace().map(ns -> ns.equals(input.proxy().namespace())).orElse(true);
  }

  /**
   * istiod's {@code TranslateRoute}: the rule's header operations on the route, then its redirect
   * ({@code ApplyRedirect}), its direct response ({@code ApplyDirectResponse}) or its destinations
   * ({@code applyHTTPRouteDestination}, with rewrite and the destinations' header operations).
   */
  private Route route(
      HttpRoute rule,
      String name,
      RouteMatch match,
      VirtualService vs,
      ServiceKey key,
      SortedMap<ServiceKey, List<ServiceInstance>> services) {
    Route.Builder out = Route.newBuilder().setName(name).setMatch(match);
    HeaderOps ops = HeaderOps.of(rule.actions().headers());
    ops.applyTo(out);
    VirtualService.RouteActions actions = rule.actions();
    if (actions.redirect().isPresent()) {
      out.setRedirect(redirect(actions.redirect().get(), key.port()));
    } else if (actions.directResponse().isPresent()) {
      VirtualService.HttpDirectResponse direct = actions.directResponse().get();
      DirectResponseAction.Builder action =
          DirectResponseAction.newBuilder().setStatus(direct.status());
      direct.body().ifPresent(b -> action.setBody(DataSource.newBuilder().setInlineString(b)));
      out.setDirectResponse(action);
    } else {
      out.setRoute(
          routeActions.routeAction(
              rule, vs.meta().namespace(), key, services, ops.authority(), out));
    }
    // istiod TranslateRoute: the rule's fault as the fault filter's per-route config, whatever
    // the action.
    out.putAllTypedPerFilterConfig(FaultTranslation.typedPerFilterConfig(rule));
    rule.corsPolicy()
        .ifPresent(cors -> out.putTypedPerFilterConfig(CORS_FILTER, Any.pack(cors(cors))));
    return out.build();
  }

  /** The CORS filter's name, the key of its per-route configuration. */
  static final String CORS_FILTER = "envoy.filters.http.cors";

  /**
   * istiod's {@code TranslateCORSPolicy} (route/route.go :1232): origins as Envoy string matchers
   * ({@code allowOrigins}, else the deprecated {@code allowOrigin} as exact), the lists joined with
   * {@code ","}, {@code max_age} in seconds, the filter enabled for 100 %, and {@code
   * forward_not_matching_preflights} false only for {@code unmatchedPreflights: IGNORE}.
   */
  static CorsPolicy cors(VirtualService.CorsPolicy in) {
    CorsPolicy.Builder out =
        CorsPolicy.newBuilder()
            .setForwardNotMatchingPreflights(
                BoolValue.of(
                    in.unmatchedPreflights() != VirtualService.UnmatchedPreflights.IGNORE));
    in.allowOrigins().forEach(origin -> out.addAllowOriginStringMatch(stringMatcher(origin)));
    out.setFilterEnabled(
        RuntimeFractionalPercent.newBuilder()
            .setDefaultValue(
                FractionalPercent.newBuilder()
                    .setNumerator(100)
                    .setDenominator(FractionalPercent.DenominatorType.HUNDRED)));
    in.allowCredentials().ifPresent(c -> out.setAllowCredentials(BoolValue.of(c)));
    out.setAllowHeaders(String.join(",", in.allowHeaders()))
        .setAllowMethods(String.join(",", in.allowMethods()))
        .setExposeHeaders(String.join(",", in.exposeHeaders()));
    in.maxAge().ifPresent(d -> out.setMaxAge(Long.toString(d.getSeconds())));
    return out.build();
  }

  /**
   * istiod's {@code ApplyRedirect}: host, path, scheme and port redirects; {@code derivePort:
   * FROM_REQUEST_PORT} is the listener (service) port; the default port of the scheme is left out;
   * the code defaults to 301.
   */
  static RedirectAction redirect(VirtualService.HttpRedirect in, int listenerPort) {
    RedirectAction.Builder out = RedirectAction.newBuilder();
    in.authority().ifPresent(out::setHostRedirect);
    out.setPathRedirect(in.uri().orElse(""));
    in.scheme().ifPresent(out::setSchemeRedirect);
    if (in.port().isPresent() || in.derivePort().isPresent()) {
      int port =
          in.port().isPresent()
              ? in.port().getAsInt()
              : in.derivePort().get() == VirtualService.DerivePort.FROM_REQUEST_PORT
                  ? listenerPort
                  : 0;
      String scheme = in.scheme().orElse("http");
      if ((port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))) {
        port = 0;
      }
      out.setPortRedirect(port);
    }
    out.setResponseCode(
        switch (in.redirectCode()) {
          case 0, 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
          case 302 -> RedirectAction.RedirectResponseCode.FOUND;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default ->
              throw new IllegalStateException(
                  "redirect code " + in.redirectCode() + " passed validation");
        });
    return out.build();
  }

  /**
   * The names a caller may put in Host/:authority for this service, as istiod generates them for a
   * sidecar ({@code generateVirtualHostDomains}, istiod-defaults.md section 4): the FQDN, the FQDN
   * with a trailing dot, and the Kubernetes short forms ({@code name} only from the same
   * namespace). No {@code host:port} forms: the route configuration ignores the port.
   */
  static List<String> domains(ServiceKey key, String proxyNamespace) {
    Set<String> names = new LinkedHashSet<>();
    String host = key.host();
    names.add(host);
    names.add(host + ".");
    String[] parts = host.split("\\.");
    if (host.endsWith("." + Hostnames.CLUSTER_DOMAIN) && parts.length == 5) {
      if (parts[1].equals(proxyNamespace)) {
        names.add(parts[0]);
        names.add(parts[0] + "." + parts[1] + ".svc");
        names.add(parts[0] + "." + parts[1]);
      } else {
        names.add(parts[0] + "." + parts[1]);
        names.add(parts[0] + "." + parts[1] + ".svc");
      }
    }
    return List.copyOf(names);
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
      out.setCaseSensitive(BoolValue.of(false));
    }
    // istiod (TranslateRouteMatch): headers and withoutHeaders sorted by name together, then
    // :method and :authority.
    List<HeaderMatcher> headers = new ArrayList<>();
    match.headers().forEach((name, m) -> headers.add(headerMatcher(name, m, false)));
    match.withoutHeaders().forEach((name, m) -> headers.add(headerMatcher(name, m, true)));
    headers.sort(Comparator.comparing(HeaderMatcher::getName));
    out.addAllHeaders(headers);
    match.method().ifPresent(m -> out.addHeaders(headerMatcher(":method", m, false)));
    match.authority().ifPresent(m -> out.addHeaders(headerMatcher(":authority", m, false)));
    match.scheme().ifPresent(m -> out.addHeaders(headerMatcher(":scheme", m, false)));
    // istiod iterates a Go map (random order); sorted here so the output is stable. All must
    // match, so the order changes nothing.
    new java.util.TreeMap<>(match.queryParams())
        .forEach((name, m) -> out.addQueryParameters(queryParameterMatcher(name, m)));
    return out.build();
  }

  /** istiod's {@code translateQueryParamMatch}: presence, or a string match. */
  static QueryParameterMatcher queryParameterMatcher(String name, StringMatch match) {
    QueryParameterMatcher.Builder out = QueryParameterMatcher.newBuilder().setName(name);
    if (match.kind() == StringMatch.Kind.PRESENT
        || (match.kind() == StringMatch.Kind.REGEX && match.value().equals("*"))) {
      return out.setPresentMatch(true).build();
    }
    return out.setStringMatch(stringMatcher(match)).build();
  }

  private static StringMatcher stringMatcher(StringMatch match) {
    StringMatcher.Builder matcher = StringMatcher.newBuilder();
    switch (match.kind()) {
      case EXACT -> matcher.setExact(match.value());
      case PREFIX -> matcher.setPrefix(match.value());
      case REGEX -> matcher.setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value()));
      case PRESENT -> throw new IllegalStateException("presence handled by the caller");
    }
    return matcher.build();
  }

  /**
   * istiod's {@code translateHeaderMatch}: a presence match ({@code {}} or {@code regex: "*"}) is
   * {@code present_match: true}; {@code withoutHeaders} inverts, and for a value match also sets
   * {@code treat_missing_header_as_empty}, so that an absent header satisfies the inverted rule (an
   * inverted presence match means "absent").
   */
  static HeaderMatcher headerMatcher(String name, StringMatch match, boolean without) {
    HeaderMatcher.Builder out = HeaderMatcher.newBuilder().setName(name);
    boolean presence =
        match.kind() == StringMatch.Kind.PRESENT
            || (match.kind() == StringMatch.Kind.REGEX && match.value().equals("*"));
    if (presence) {
      out.setPresentMatch(true);
    } else {
      out.setStringMatch(stringMatcher(match));
    }
    if (without) {
      out.setInvertMatch(true);
      if (!presence) {
        out.setTreatMissingHeaderAsEmpty(true);
      }
    }
    return out.build();
  }
}
