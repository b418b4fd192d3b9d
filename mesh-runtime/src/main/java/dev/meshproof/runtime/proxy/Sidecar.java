package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.telemetry.AccessLog;
import dev.meshproof.runtime.telemetry.ProxyStats;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded sidecar: a Netty proxy with an outbound listener (where its app sends requests for
 * other services) and, for a workload that serves, an inbound listener (where other sidecars
 * deliver requests to the app). It binds both on loopback ephemeral ports, subscribes to the
 * control plane over ADS, and routes by what it received; listeners the xDS names at other
 * addresses are NACKed.
 */
public final class Sidecar implements SidecarProxy {
  private static final int MAX_REQUEST_BODY = 16 * 1024 * 1024;

  /** The configuration in force and the live cluster state built from it, swapped as one. */
  record RoutingState(ProxyConfig config, Map<String, UpstreamCluster> clusters) {}

  private final String proxyId;
  private final RandomSource random;
  private final RandomSource routeRandom;
  private final Clock clock = Clock.systemUTC();
  private final HttpConnectionPool connections;
  private final AccessLog accessLog = new AccessLog(100_000);
  private final ProxyStats stats = new ProxyStats();
  private final Channel outbound;
  private final Optional<Channel> inbound;
  private final AdsClient ads;
  private final AdminServer admin;
  private volatile RoutingState routing = new RoutingState(ProxyConfig.EMPTY, Map.of());

  private Sidecar(SidecarRequest request) {
    this.proxyId = request.proxyId();
    this.random = request.random();
    this.routeRandom = random.fork("route");
    EventLoopGroup group = request.eventLoops();
    this.connections = new HttpConnectionPool(group, Duration.ofSeconds(10));
    this.outbound = bind(group, XdsNames.OUTBOUND_LISTENER);
    this.inbound =
        request.servicePort().isPresent()
            ? Optional.of(bind(group, XdsNames.INBOUND_LISTENER))
            : Optional.empty();
    this.ads = new AdsClient(node(request), request.controlPlane(), group, this::accept);
    this.admin = new AdminServer(group, this);
  }

  /** Binds the listeners and starts the ADS subscription. */
  public static Sidecar start(SidecarRequest request) {
    Sidecar sidecar = new Sidecar(request);
    sidecar.ads.start();
    return sidecar;
  }

  private static Node node(SidecarRequest request) {
    return ProxyIdentity.of(request).toNode();
  }

  private Channel bind(EventLoopGroup group, String listenerName) {
    Sidecar self = this;
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                DownstreamCodec.configure(
                    ch, MAX_REQUEST_BODY, () -> new HttpProxyHandler(self, listenerName));
              }
            })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .syncUninterruptibly()
        .channel();
  }

  /**
   * Accepts a candidate configuration from the ADS client, or throws to have it NACKed. A listener
   * must name an address this sidecar bound, as an Envoy listener must be bindable.
   */
  private void accept(ProxyConfig config) {
    for (ListenerConfig listener : config.listeners().values()) {
      Optional<InetSocketAddress> bound =
          switch (listener.name()) {
            case XdsNames.OUTBOUND_LISTENER -> Optional.of(outboundAddress());
            case XdsNames.INBOUND_LISTENER -> inboundAddress();
            default -> Optional.empty();
          };
      if (bound.isEmpty() || !bound.get().equals(listener.address())) {
        throw new IllegalArgumentException(
            "listener "
                + listener.name()
                + " at "
                + listener.address()
                + " cannot be bound by this sidecar (it serves "
                + XdsNames.OUTBOUND_LISTENER
                + " at "
                + outboundAddress()
                + inboundAddress()
                    .map(a -> " and " + XdsNames.INBOUND_LISTENER + " at " + a)
                    .orElse("")
                + ")");
      }
    }
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    Map<String, UpstreamCluster> previous = routing.clusters();
    for (ClusterConfig cluster : config.clusters().values()) {
      clusters.put(
          cluster.name(), UpstreamCluster.of(cluster, previous.get(cluster.name()), random));
    }
    routing = new RoutingState(config, Map.copyOf(clusters));
  }

  RoutingState routingState() {
    return routing;
  }

  RandomSource routeRandom() {
    return routeRandom;
  }

  Clock clock() {
    return clock;
  }

  HttpConnectionPool connections() {
    return connections;
  }

  /**
   * The sidecar's access log (Envoy's, with route, cluster, host and response flag per request).
   */
  public AccessLog accessLog() {
    return accessLog;
  }

  /** Envoy-named counters of this sidecar. */
  public ProxyStats stats() {
    return stats;
  }

  /**
   * True once the initial xDS fetch is done, as Envoy's {@code /ready}: clusters and listeners
   * received, and every listener's routes and every EDS cluster's endpoints answered.
   */
  boolean ready() {
    ProxyConfig config = routing.config();
    Map<String, String> versions = config.versions();
    return versions.containsKey("CDS")
        && versions.containsKey("LDS")
        && config.listeners().values().stream().allMatch(l -> l.routes().isPresent())
        && (!ads.subscribesTo("EDS") || versions.containsKey("EDS"));
  }

  /** Envoy's {@code /clusters} text: per host, {@code cluster::host:port::stat::value}. */
  String clustersText() {
    StringBuilder out = new StringBuilder();
    routing.clusters().values().stream()
        .sorted(java.util.Comparator.comparing(c -> c.config.name()))
        .forEach(
            cluster -> {
              for (UpstreamCluster.UpstreamHost host : cluster.hosts) {
                String prefix = cluster.config.name() + "::" + host + "::";
                out.append(prefix).append("rq_active::").append(host.activeRequests()).append('\n');
                out.append(prefix).append("rq_total::").append(host.total.sum()).append('\n');
                out.append(prefix).append("health_flags::healthy\n");
              }
            });
    return out.toString();
  }

  @Override
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.of(admin.address());
  }

  /** The xDS configuration currently in force. */
  public ProxyConfig config() {
    return routing.config();
  }

  @Override
  public String proxyId() {
    return proxyId;
  }

  @Override
  public InetSocketAddress outboundAddress() {
    return (InetSocketAddress) outbound.localAddress();
  }

  @Override
  public Optional<InetSocketAddress> inboundAddress() {
    return inbound.map(c -> (InetSocketAddress) c.localAddress());
  }

  @Override
  public String configDump() {
    return ads.configDump();
  }

  @Override
  public void close() {
    ads.close();
    admin.close();
    outbound.close().syncUninterruptibly();
    inbound.ifPresent(c -> c.close().syncUninterruptibly());
    connections.close();
  }
}
