package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.config.VirtualService.TcpRoute;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The TCP side of LDS: for every TCP service port the proxy reaches, an outbound listener with one
 * {@code tcp_proxy} filter, and for a workload serving a TCP port, an inbound {@code tcp_proxy} to
 * its app. The filter is istiod's ({@code networkfilter.go buildOutboundNetworkFilters}, {@code
 * tls.go buildSidecarOutboundTCPFilterChainOpts}): the first {@code tcp} rule of the host's
 * VirtualService with no match block or a match that holds for this proxy and port ({@code
 * matchTCP}) decides; one destination is {@code cluster} with the cluster name as {@code
 * stat_prefix}, several are {@code weighted_clusters} (weight-0 destinations dropped) with {@code
 * <vs name>.<vs namespace>} as {@code stat_prefix}; without a matching rule, the service's cluster.
 * No {@code idle_timeout} is set (istiod sets it only from the DestinationRule's {@code
 * tcp.idleTimeout} or the node's {@code IDLE_TIMEOUT} metadata; a DestinationRule's TCP idle
 * timeout is not translated yet).
 *
 * <p>Deliberate difference: istiod's listener is {@code 0.0.0.0_<port>} with a filter chain per
 * service VIP, reached by iptables; on loopback there is no VIP, so each service port gets its own
 * listener {@code <host>_<port>} at the loopback address the control plane assigned ({@link
 * ProxyNode#tcpOutbound}).
 */
final class TcpListenerBuilder {
  static final String TCP_PROXY_FILTER = "envoy.filters.network.tcp_proxy";

  private final TranslationInput input;

  TcpListenerBuilder(TranslationInput input) {
    this.input = input;
  }

  /** The name of the outbound TCP listener of {@code host:port}. */
  static String outboundListenerName(String host, int port) {
    return host + "_" + port;
  }

  List<Listener> outboundListeners() {
    // Most meshes have no TCP service: then no listener, without grouping every visible instance
    // by service port for each proxy on each push (a service port is TCP when its instances are).
    if (input.instances().stream()
        .noneMatch(i -> i.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.TCP)) {
      return List.of();
    }
    List<Listener> listeners = new ArrayList<>();
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    services.forEach(
        (key, instances) -> {
          if (!input.isTcp(key, instances)) {
            return;
          }
          InetSocketAddress address =
              input.proxy().tcpOutbound().get(ProxyNode.tcpKey(key.host(), key.port()));
          if (address == null) {
            throw new IllegalStateException(
                "proxy "
                    + input.proxy().id()
                    + " has no TCP outbound listener address for "
                    + key.host()
                    + ":"
                    + key.port()
                    + " (the control plane assigns one per TCP service port)");
          }
          listeners.add(
              Listener.newBuilder()
                  .setName(outboundListenerName(key.host(), key.port()))
                  .setAddress(XdsProtos.address(address))
                  .setTrafficDirection(TrafficDirection.OUTBOUND)
                  .addFilterChains(filterChain(outboundTcpProxy(key, services)))
                  .build());
        });
    return listeners;
  }

  /** The {@code tcp_proxy} of the service port {@code key}, as istiod builds it for a sidecar. */
  TcpProxy outboundTcpProxy(ServiceKey key, SortedMap<ServiceKey, List<ServiceInstance>> services) {
    Optional<VirtualService> vs = input.virtualServiceFor(key.host());
    if (vs.isPresent()) {
      for (TcpRoute rule : vs.get().tcp()) {
        if (rule.route().isEmpty()) {
          continue;
        }
        boolean matches =
            rule.match().isEmpty()
                || rule.match().stream()
                    .anyMatch(
                        m ->
                            m.matches(
                                input.proxy().labels(), input.proxy().namespace(), key.port()));
        if (matches) {
          return routedTcpProxy(rule, vs.get(), key, services);
        }
      }
    }
    String cluster = XdsNames.outboundCluster(key.port(), "", key.host());
    return TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
  }

  static TcpProxy routedTcpProxy(
      TcpRoute rule,
      VirtualService vs,
      ServiceKey key,
      SortedMap<ServiceKey, List<ServiceInstance>> services) {
    String namespace = vs.meta().namespace();
    if (rule.route().size() == 1) {
      String cluster =
          RouteActionBuilder.clusterName(rule.route().get(0), namespace, key, services);
      return TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
    }
    TcpProxy.WeightedCluster.Builder weighted = TcpProxy.WeightedCluster.newBuilder();
    for (RouteDestination destination : rule.route()) {
      int weight = destination.weight().orElse(0);
      if (weight > 0) {
        weighted.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(RouteActionBuilder.clusterName(destination, namespace, key, services))
                .setWeight(weight));
      }
    }
    return TcpProxy.newBuilder()
        .setStatPrefix(vs.meta().name() + "." + namespace)
        .setWeightedClusters(weighted)
        .build();
  }

  /**
   * The inbound listener of a workload serving a TCP port: a {@code tcp_proxy} to {@code
   * inbound|<port>||} (istiod's inbound TCP filter chain, {@code stat_prefix} the cluster name),
   * after the network RBAC filters of the AuthorizationPolicies selecting the workload ({@link
   * RbacFilterBuilder#inboundNetworkFilters}, istiod's {@code buildInboundNetworkFilters} order:
   * authz before the proxy). With a mesh CA the chains follow the port's PeerAuthentication mode as
   * istiod's {@code filterchain_options.go getFilterChainMatchOptions} does for a TCP port: STRICT
   * ({@code inboundStrictTCPFilterChainMatchOptions}) one chain matching transport protocol {@code
   * tls} that terminates mutual TLS, advertising {@link MtlsBuilder#ALPN_DOWNSTREAM_WITH_MXC};
   * PERMISSIVE that chain and a {@code raw_buffer} one; DISABLE the plaintext chain only.
   *
   * <p>Deliberate differences (docs/translation.md): under PERMISSIVE istiod's mutual TLS chain
   * also matches the ALPN Istio's clients offer ({@code allIstioMtlsALPNs}) and a third chain
   * passes other TLS through to the app as plain TCP; the embedded sidecar's listener does not read
   * ALPN from a ClientHello, so both targets get the two chains above, and a non-mesh TLS client to
   * a PERMISSIVE TCP port fails its handshake instead of reaching the app. istiod's {@code
   * istio.metadata_exchange} network filter on the TLS chain is istio-proxy's own (upstream Envoy
   * has none) and is not emitted.
   */
  Listener inboundListener(ProxyNode.Inbound inbound) {
    String cluster = XdsNames.inboundCluster(inbound.servicePort());
    TcpProxy proxy = TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build();
    List<Filter> authz =
        RbacFilterBuilder.inboundNetworkFilters(
            input.security().authorizationPolicies(), input.proxy(), inbound);
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(inbound.listenerName())
            .setAddress(XdsProtos.address(inbound.listener()))
            .setTrafficDirection(TrafficDirection.INBOUND);
    MtlsBuilder mtls = new MtlsBuilder(input);
    PeerAuthenticationMode mode = mtls.inboundMode(inbound);
    if (mode == PeerAuthenticationMode.DISABLE) {
      return listener.addFilterChains(filterChain(authz, proxy)).build();
    }
    listener.addListenerFilters(MtlsBuilder.tlsInspector());
    listener.addFilterChains(
        filterChain(authz, proxy).toBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls"))
            .setTransportSocket(
                mtls.downstreamTransportSocket(MtlsBuilder.ALPN_DOWNSTREAM_WITH_MXC)));
    if (mode == PeerAuthenticationMode.PERMISSIVE) {
      listener.addFilterChains(
          filterChain(authz, proxy).toBuilder()
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer")));
    }
    return listener.build();
  }

  /**
   * The {@code tcp_proxy} of a gateway's opaque TCP server, as istiod's {@code
   * buildGatewayNetworkFiltersFromTCPRoutes} (gateway.go) builds it: the first VirtualService bound
   * to the server's Gateway whose hosts meet the server's ({@link GatewayHosts}), and in it the
   * first {@code tcp} rule with destinations whose match block holds for the server ({@link
   * VirtualService.L4Match#matchesGateway}); empty when none does (istiod then gives the listener
   * no filter chain, "listener missed network filter").
   */
  Optional<TcpProxy> gatewayTcpProxy(GatewayServers.Bound bound) {
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    String gatewayName = bound.gatewayName();
    int serverPort = bound.server().port();
    for (VirtualService vs : input.virtualServices()) {
      if (!vs.boundTo(gatewayName) || vs.visibilityRankFor(input.proxy().namespace()).isEmpty()) {
        continue;
      }
      List<String> vsHosts =
          vs.hosts().stream()
              .map(h -> dev.meshproof.runtime.registry.Hostnames.resolve(h, vs.meta().namespace()))
              .toList();
      if (GatewayHosts.intersection(
              GatewayHosts.serverHostsFor(
                  bound.server().hosts(),
                  bound.gateway().meta().namespace(),
                  vs.meta().namespace()),
              vsHosts)
          .isEmpty()) {
        continue;
      }
      for (TcpRoute rule : vs.tcp()) {
        boolean matches =
            rule.match().isEmpty()
                || rule.match().stream()
                    .anyMatch(
                        m -> m.matchesGateway(gatewayName, vs.meta().namespace(), serverPort));
        if (matches && !rule.route().isEmpty()) {
          return Optional.of(routedTcpProxy(rule, vs, new ServiceKey("", serverPort), services));
        }
      }
    }
    return Optional.empty();
  }

  /** A PASSTHROUGH filter chain: the SNI names it matches and its {@code tcp_proxy}. */
  record SniChain(List<String> sniHosts, TcpProxy proxy) {
    SniChain {
      sniHosts = List.copyOf(sniHosts);
    }
  }

  /**
   * The filter chains of a PASSTHROUGH server, as istiod's {@code
   * buildGatewayNetworkFiltersFromTLSRoutes} (gateway.go) builds them: for each VirtualService
   * bound to the server's Gateway whose hosts meet the server's, each {@code tls} rule's matches
   * that hold for the server ({@code l4SingleMatch}), one chain matching the match's {@code
   * sniHosts} with a {@code tcp_proxy} to the rule's destinations; an SNI host an earlier chain on
   * the port already matches is skipped ({@code CheckDuplicates}).
   */
  List<SniChain> gatewayTlsRoutes(GatewayServers.Bound bound) {
    List<SniChain> chains = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    SortedMap<ServiceKey, List<ServiceInstance>> services = input.services();
    String gatewayName = bound.gatewayName();
    int serverPort = bound.server().port();
    for (VirtualService vs : input.virtualServices()) {
      if (!vs.boundTo(gatewayName) || vs.visibilityRankFor(input.proxy().namespace()).isEmpty()) {
        continue;
      }
      List<String> vsHosts =
          vs.hosts().stream()
              .map(h -> dev.meshproof.runtime.registry.Hostnames.resolve(h, vs.meta().namespace()))
              .toList();
      if (GatewayHosts.intersection(
              GatewayHosts.serverHostsFor(
                  bound.server().hosts(),
                  bound.gateway().meta().namespace(),
                  vs.meta().namespace()),
              vsHosts)
          .isEmpty()) {
        continue;
      }
      for (VirtualService.TlsRoute rule : vs.tls()) {
        if (rule.route().isEmpty()) {
          continue;
        }
        for (VirtualService.TlsMatch match : rule.match()) {
          if (!match.l4().matchesGateway(gatewayName, vs.meta().namespace(), serverPort)
              || match.sniHosts().stream().anyMatch(seen::contains)) {
            continue;
          }
          seen.addAll(match.sniHosts());
          chains.add(
              new SniChain(
                  match.sniHosts(),
                  routedTcpProxy(
                      new TcpRoute(List.of(), rule.route()),
                      vs,
                      new ServiceKey("", serverPort),
                      services)));
        }
      }
    }
    return chains;
  }

  /**
   * A filter chain of {@code tcpProxy}, with the same access log as every connection manager
   * (istiod puts the mesh's access log on {@code tcp_proxy} too): one line per connection, at
   * close, with its upstream cluster, host, duration and response flags.
   */
  static FilterChain filterChain(TcpProxy tcpProxy) {
    return filterChain(List.of(), tcpProxy);
  }

  /** A filter chain of the network filters {@code before}, then {@code tcpProxy} (logged). */
  static FilterChain filterChain(List<Filter> before, TcpProxy tcpProxy) {
    TcpProxy logged = tcpProxy.toBuilder().addAccessLog(ListenerBuilder.ACCESS_LOG).build();
    return FilterChain.newBuilder()
        .addAllFilters(before)
        .addFilters(Filter.newBuilder().setName(TCP_PROXY_FILTER).setTypedConfig(Any.pack(logged)))
        .build();
  }
}
