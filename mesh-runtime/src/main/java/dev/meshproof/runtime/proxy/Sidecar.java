package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;
import dev.meshproof.runtime.policy.telemetry.IstioMetrics;
import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import dev.meshproof.runtime.proxy.ProxyConfig.ClusterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.telemetry.AccessLog;
import dev.meshproof.runtime.telemetry.ProxyStats;
import dev.meshproof.runtime.transport.HttpConnectionPool;
import dev.meshproof.runtime.transport.UpstreamConnectionSettings;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.XdsNames;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

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
  record RoutingState(ProxyConfig config, Map<String, UpstreamCluster> clusters, TlsContexts tls) {
    RoutingState(ProxyConfig config, Map<String, UpstreamCluster> clusters) {
      this(config, clusters, TlsContexts.NONE);
    }
  }

  private final String proxyId;
  private final RandomSource random;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final RequestIdSource requestIds;
  private final HttpConnectionPool connections;
  private final Router router;
  private final RandomSource faultRandom;
  private final RandomSource tcpRandom;

  /** Connections accepted per TCP proxy listener: the key of each connection's random draws. */
  private final Map<String, java.util.concurrent.atomic.AtomicLong> tcpConnections =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The outbound listeners (TCP and HTTP service ports') bound as LDS named them, by name. */
  private final Map<String, Channel> outboundListeners =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The sidecar's own log (what it refused and why), attached to a failing result. */
  private final java.util.Deque<String> ownLog = new java.util.concurrent.ConcurrentLinkedDeque<>();

  private final AccessLog accessLog;
  private final ProxyStats stats = new ProxyStats();
  private final IstioMetrics istioMetrics = new IstioMetrics();

  /** This proxy's workload as Istio's metric labels name it. */
  private final IstioWorkload self;

  /** What the metadata exchange filter sends as this proxy's {@code x-envoy-peer-metadata}. */
  private final MetadataExchangeFilter.Local peerMetadata;

  /**
   * The workload behind each endpoint ({@code ip:port}), from the {@code istio.workload} metadata
   * of the accepted EDS assignments: who answered, for the source reporter's destination labels.
   */
  private volatile Map<String, IstioWorkload> endpointWorkloads = Map.of();

  private final Channel outbound;

  /**
   * The inbound listeners, one per port of the served Service in its declaration order, by listener
   * name ({@link XdsNames#inboundListener}); empty for a client-only workload.
   */
  private final Map<String, Channel> inbound = new java.util.LinkedHashMap<>();

  /** The Service port of each inbound listener, by listener name. */
  private final Map<String, Integer> inboundPorts = new java.util.LinkedHashMap<>();

  /**
   * An ingress gateway's pod ports and the loopback address reserved for each (as the Envoy target
   * reserves them); empty for a sidecar. A port is bound only while LDS names its listener, so a
   * port without one refuses connections, as Envoy's does.
   */
  private final Map<Integer, InetSocketAddress> gatewayReserved = new java.util.TreeMap<>();

  /** The gateway listeners bound as LDS named them, by listener name. */
  private final Map<String, Channel> gatewayListeners =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final EventLoopGroup listenerGroup;

  private final AdsClient ads;
  private final AdminServer admin;

  /**
   * Every downstream connection the listeners accepted: closing a server channel does not close its
   * accepted children, so {@link #close()} closes them, as Envoy drains a removed listener.
   */
  private final ChannelGroup downstreamConnections =
      new DefaultChannelGroup("sidecar-downstream", GlobalEventExecutor.INSTANCE);

  private volatile boolean closed;
  private volatile RoutingState routing = new RoutingState(ProxyConfig.EMPTY, Map.of());

  private Sidecar(Builder builder) {
    SidecarRequest request = builder.request;
    this.proxyId = request.proxyId();
    this.self = IstioWorkload.of(request.workload(), request.namespace(), request.labels());
    this.peerMetadata = MetadataExchangeFilter.Local.of(node(request), self);
    this.random = request.random();
    EventLoopGroup group = request.eventLoops();
    this.clock = builder.clock;
    this.scheduler = builder.scheduler.orElse(group);
    this.requestIds = builder.requestIds;
    this.accessLog = new AccessLog(builder.accessLogCapacity);
    this.connections = new HttpConnectionPool(group, Duration.ofSeconds(10));
    HttpConnectionPool pool = this.connections;
    UpstreamCall upstream =
        new UpstreamCall() {
          @Override
          public java.util.concurrent.CompletableFuture<
                  io.netty.handler.codec.http.FullHttpResponse>
              send(
                  InetSocketAddress host,
                  io.netty.handler.codec.http.FullHttpRequest request,
                  Duration timeout,
                  UpstreamConnectionSettings settings) {
            return pool.stream(host, request, timeout, settings, Optional.empty());
          }

          @Override
          public java.util.concurrent.CompletableFuture<
                  io.netty.handler.codec.http.FullHttpResponse>
              send(
                  InetSocketAddress host,
                  io.netty.handler.codec.http.FullHttpRequest request,
                  Duration timeout,
                  UpstreamConnectionSettings settings,
                  Optional<dev.meshproof.runtime.transport.UpstreamTls> tls) {
            // The response as it arrives: the router forwards its head, then its body and
            // trailers as they come (server streaming, chunked answers), as Envoy does.
            return pool.stream(host, request, timeout, settings, tls);
          }
        };
    this.router = new Router(random.fork("route"), upstream, scheduler, clock);
    this.faultRandom = random.fork("fault");
    this.tcpRandom = random.fork("tcp");
    this.outbound = bind(group, XdsNames.OUTBOUND_LISTENER);
    for (int i = 0; i < request.servicePorts().size(); i++) {
      int port = request.servicePorts().get(i);
      String name = XdsNames.inboundListener(i, port);
      inbound.put(name, bind(group, name));
      inboundPorts.put(name, port);
    }
    this.listenerGroup = group;
    List<Integer> reserved =
        dev.meshproof.runtime.envoy.ListenerPorts.reserve(request.gatewayPorts().size());
    for (int i = 0; i < reserved.size(); i++) {
      gatewayReserved.put(
          request.gatewayPorts().get(i),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), reserved.get(i)));
    }
    this.ads =
        new AdsClient(
            node(request),
            request.controlPlane(),
            scheduler,
            builder.reconnectBackoff,
            this::accept);
    this.ads.onEndpointsAccepted(this::endpointsAccepted);
    this.admin = new AdminServer(group, this);
  }

  /**
   * Binds the listeners and starts the ADS subscription, with the default clock, scheduler, request
   * ids and reconnect backoff.
   */
  public static Sidecar start(SidecarRequest request) {
    return builder(request).start();
  }

  /** A sidecar for {@code request} whose time, scheduling and request ids can be supplied. */
  public static Builder builder(SidecarRequest request) {
    return new Builder(request);
  }

  /** Requests an in-memory access log keeps unless {@link Builder#accessLogCapacity} says. */
  public static final int DEFAULT_ACCESS_LOG_CAPACITY = 100_000;

  /**
   * The sidecar's inputs at its edge: everything it reads time or fresh randomness from, so a
   * simulated target can drive it on a {@link dev.meshproof.common.VirtualClock}. Defaults: the
   * system clock, the mesh's event loops as scheduler, random UUID4 request ids, and the ADS
   * reconnect backoff of 100 ms doubling to 5 s.
   */
  public static final class Builder {
    private final SidecarRequest request;
    private Clock clock = Clock.systemUTC();
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();
    private RequestIdSource requestIds = RequestIdSource.randomUuids();
    private ReconnectBackoff reconnectBackoff = ReconnectBackoff.DEFAULT;
    private int accessLogCapacity = DEFAULT_ACCESS_LOG_CAPACITY;

    private Builder(SidecarRequest request) {
      this.request = Objects.requireNonNull(request, "request");
    }

    /** The clock of access-log timestamps and request durations. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where filter delays, retry backoffs and ADS reconnects are armed. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Optional.of(Objects.requireNonNull(scheduler, "scheduler"));
      return this;
    }

    /** Ids for requests that arrive without {@code x-request-id}. */
    public Builder requestIds(RequestIdSource requestIds) {
      this.requestIds = Objects.requireNonNull(requestIds, "requestIds");
      return this;
    }

    /** The delay before reopening a lost ADS stream. */
    public Builder reconnectBackoff(ReconnectBackoff backoff) {
      this.reconnectBackoff = Objects.requireNonNull(backoff, "reconnectBackoff");
      return this;
    }

    /**
     * How many requests the in-memory access log keeps (default {@value
     * #DEFAULT_ACCESS_LOG_CAPACITY}, the evidence of a scenario run). A standalone sidecar process
     * whose log nobody reads keeps few: 100,000 entries are about 50 MiB of live heap.
     */
    public Builder accessLogCapacity(int capacity) {
      if (capacity <= 0) {
        throw new IllegalArgumentException("accessLogCapacity: " + capacity + " (expected: > 0)");
      }
      this.accessLogCapacity = capacity;
      return this;
    }

    /** Binds the listeners and starts the ADS subscription. */
    public Sidecar start() {
      Sidecar sidecar = new Sidecar(this);
      sidecar.ads.start();
      return sidecar;
    }
  }

  private static Node node(SidecarRequest request) {
    return ProxyIdentity.of(request).toNode();
  }

  private Channel bind(EventLoopGroup group, String listenerName) {
    return bind(group, listenerName, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /**
   * Envoy's per-connection buffer limit ({@code per_connection_buffer_limit_bytes}, 1 MiB by
   * default; istiod leaves it unset on sidecar listeners): a response streamed to a downstream
   * connection whose write buffer is over it stops reading its upstream until the buffer drains
   * below half, as Envoy's high and low watermarks do.
   */
  static final int PER_CONNECTION_BUFFER_LIMIT = 1024 * 1024;

  private Channel bind(EventLoopGroup group, String listenerName, InetSocketAddress address) {
    Sidecar self = this;
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(
            ChannelOption.WRITE_BUFFER_WATER_MARK,
            new io.netty.channel.WriteBufferWaterMark(
                PER_CONNECTION_BUFFER_LIMIT / 2, PER_CONNECTION_BUFFER_LIMIT))
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                downstreamConnections.add(ch);
                if (closed) {
                  // Accepted while close() ran, after the group was closed: not served.
                  ch.close();
                  return;
                }
                ch.pipeline()
                    .addLast(
                        new TransportSelector(
                            self,
                            listenerName,
                            () -> {
                              if (isTcpChain(listenerName, ch)) {
                                ch.pipeline().addLast(tcpProxy(listenerName));
                                return;
                              }
                              DownstreamCodec.configure(
                                  ch,
                                  MAX_REQUEST_BODY,
                                  () -> new HttpProxyHandler(self, listenerName));
                            }));
              }
            })
        .bind(address)
        .syncUninterruptibly()
        .channel();
  }

  /**
   * Binds the gateway listeners of {@code config} not bound yet, at their reserved pod-port
   * addresses, as Envoy binds a listener LDS adds; one it cannot bind NACKs the configuration
   * (nothing new stays bound).
   */
  private void bindGatewayListeners(ProxyConfig config) {
    List<String> added = new java.util.ArrayList<>();
    for (ListenerConfig listener : config.listeners().values()) {
      if (gatewayListenerAddress(listener.name()).isEmpty()
          || gatewayListeners.containsKey(listener.name())
          || closed) {
        continue;
      }
      try {
        gatewayListeners.put(
            listener.name(), bind(listenerGroup, listener.name(), listener.address()));
        added.add(listener.name());
      } catch (RuntimeException e) {
        added.forEach(name -> gatewayListeners.remove(name).close());
        throw new IllegalArgumentException(
            "listener " + listener.name() + ": cannot bind " + listener.address() + ": " + e, e);
      }
    }
  }

  private boolean isTcpChain(String listenerName, Channel ch) {
    ListenerConfig listener = routing.config().listeners().get(listenerName);
    return listener != null
        && TransportSelector.chainOf(listener, ch).flatMap(c -> c.tcpProxy()).isPresent();
  }

  /** A TCP proxy for one connection, its draws keyed by the listener and the connection. */
  private TcpProxyHandler tcpProxy(String listenerName) {
    return new TcpProxyHandler(
        this,
        listenerName,
        tcpRandom.forRequest(
            listenerName
                + "#"
                + tcpConnections
                    .computeIfAbsent(
                        listenerName, k -> new java.util.concurrent.atomic.AtomicLong())
                    .incrementAndGet()));
  }

  /** Binds an outbound TCP listener at {@code address}, each connection to a TCP proxy. */
  private Channel bindTcp(String listenerName, InetSocketAddress address) {
    return new ServerBootstrap()
        .group(outbound.eventLoop().parent())
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                downstreamConnections.add(ch);
                if (closed) {
                  ch.close();
                  return;
                }
                ch.pipeline().addLast(tcpProxy(listenerName));
              }
            })
        .bind(address)
        .syncUninterruptibly()
        .channel();
  }

  /**
   * Binds the outbound listeners of {@code config} this sidecar has not bound yet (a TCP service
   * port's, an HTTP service port's {@code 0.0.0.0_<port>}) at the address LDS names, as Envoy binds
   * a listener LDS adds; a listener it cannot bind NACKs the configuration (nothing new stays
   * bound).
   */
  private void bindOutboundListeners(ProxyConfig config) {
    List<String> added = new java.util.ArrayList<>();
    for (ListenerConfig listener : config.listeners().values()) {
      if (listener.name().equals(XdsNames.OUTBOUND_LISTENER)
          || inbound.containsKey(listener.name())
          || gatewayListenerAddress(listener.name()).isPresent()) {
        continue;
      }
      boolean tcp = listener.filterChains().stream().allMatch(c -> c.tcpProxy().isPresent());
      Channel current = outboundListeners.get(listener.name());
      if ((current != null && current.localAddress().equals(listener.address())) || closed) {
        continue;
      }
      try {
        Channel bound =
            tcp
                ? bindTcp(listener.name(), listener.address())
                : bind(listenerGroup, listener.name(), listener.address());
        Channel previous = outboundListeners.put(listener.name(), bound);
        if (previous != null) {
          previous.close();
        }
        added.add(listener.name());
      } catch (RuntimeException e) {
        added.forEach(name -> outboundListeners.remove(name).close());
        throw new IllegalArgumentException(
            "listener " + listener.name() + ": cannot bind " + listener.address() + ": " + e, e);
      }
    }
  }

  /**
   * Accepts a candidate configuration from the ADS client, or throws to have it NACKed. A listener
   * must name an address this sidecar bound (or, for a service port's listener, can bind), as an
   * Envoy listener must be bindable.
   */
  private void accept(ProxyConfig config) {
    for (ListenerConfig listener : config.listeners().values()) {
      Optional<InetSocketAddress> bound =
          listener.name().equals(XdsNames.OUTBOUND_LISTENER)
              ? Optional.of(outboundAddress())
              : inbound.containsKey(listener.name())
                  ? Optional.of((InetSocketAddress) inbound.get(listener.name()).localAddress())
                  // A gateway's listeners (HTTP or TCP) are the pod ports it bound at start.
                  : gatewayListenerAddress(listener.name())
                      // Any other listener (a TCP or HTTP service port's) binds where LDS says.
                      .or(() -> Optional.of(listener.address()));
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
                + inbound.entrySet().stream()
                    .map(e -> " and " + e.getKey() + " at " + e.getValue().localAddress())
                    .collect(java.util.stream.Collectors.joining())
                + ")");
      }
    }
    TlsContexts tls = TlsContexts.of(config, clock);
    bindOutboundListeners(config);
    bindGatewayListeners(config);
    routing = new RoutingState(config, upstreamClusters(config), tls);
    // Listeners LDS removed stop accepting; their connections drain as they end.
    outboundListeners
        .keySet()
        .removeIf(
            name -> {
              if (config.listeners().containsKey(name)) {
                return false;
              }
              outboundListeners.get(name).close();
              return true;
            });
    gatewayListeners
        .keySet()
        .removeIf(
            name -> {
              if (config.listeners().containsKey(name)) {
                return false;
              }
              gatewayListeners.get(name).close();
              return true;
            });
  }

  /**
   * The live clusters for {@code config}, as Envoy's cluster manager applies a CDS/EDS update: a
   * cluster whose configuration did not change keeps its state ({@link UpstreamCluster#of}), a
   * changed one is rebuilt from it, a removed one is retired. A response that changed no cluster
   * (routes, listeners, secrets) keeps the map it had.
   */
  private Map<String, UpstreamCluster> upstreamClusters(ProxyConfig config) {
    Map<String, UpstreamCluster> previous = routing.clusters();
    if (config.clusters() == routing.config().clusters()) {
      return previous; // the same assembled clusters (XdsResources): nothing to compare
    }
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    boolean changed = previous.size() != config.clusters().size();
    for (ClusterConfig cluster : config.clusters().values()) {
      UpstreamCluster old = previous.get(cluster.name());
      UpstreamCluster updated = UpstreamCluster.of(cluster, old, random, clock, scheduler);
      clusters.put(cluster.name(), updated);
      changed |= updated != old;
    }
    if (!changed) {
      return previous;
    }
    previous.forEach((name, old) -> old.retire(clusters.get(name)));
    return Map.copyOf(clusters);
  }

  /** Adds a line to the sidecar's own log (bounded to the last 1,000 lines). */
  void log(String line) {
    ownLog.addLast(clock.instant() + " " + line);
    while (ownLog.size() > 1_000) {
      ownLog.pollFirst();
    }
  }

  @Override
  public String log() {
    return String.join("\n", ownLog);
  }

  /** The address of the gateway listener named {@code name} ({@code 0.0.0.0_80}), if bound. */
  private Optional<InetSocketAddress> gatewayListenerAddress(String name) {
    return gatewayAddresses().entrySet().stream()
        .filter(e -> XdsNames.gatewayListener(e.getKey()).equals(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  @Override
  public Map<Integer, InetSocketAddress> gatewayAddresses() {
    return java.util.Collections.unmodifiableMap(gatewayReserved);
  }

  RoutingState routingState() {
    return routing;
  }

  Clock clock() {
    return clock;
  }

  RequestIdSource requestIds() {
    return requestIds;
  }

  /**
   * The filter chain of the connection manager {@code statPrefix}, its RBAC and ext_authz filters
   * counting in this sidecar's statistics as Envoy's ({@code http.<statPrefix>.rbac.allowed},
   * {@code ...ext_authz.denied}), ext_authz calling its provider through the router.
   */
  HttpFilterChain filterChain(List<HttpFilterConfig> httpFilters, String statPrefix) {
    String prefix = "http." + statPrefix + ".";
    return HttpFilterChain.of(
        httpFilters,
        router,
        scheduler,
        faultRandom,
        clock,
        peerMetadata,
        name -> stats().increment(prefix + name),
        router::call);
  }

  /**
   * The sidecar's access log (Envoy's, with route, cluster, host and response flag per request).
   */
  public AccessLog accessLog() {
    return accessLog;
  }

  @Override
  public List<Map<String, String>> accessLogLines() {
    return accessLog.lines();
  }

  @Override
  public List<String> accessLogText() {
    return accessLog.envoyDefaultLines();
  }

  /** Istio's standard metrics as this proxy's stats filter counts them. */
  public IstioMetrics istioMetrics() {
    return istioMetrics;
  }

  /** This proxy's own workload, as metric labels name it. */
  IstioWorkload self() {
    return self;
  }

  /** The workload serving endpoint {@code host} ({@code ip:port}), or {@code unknown}. */
  IstioWorkload endpointWorkload(String host) {
    return endpointWorkloads.getOrDefault(host, IstioWorkload.UNKNOWN);
  }

  /**
   * Who talked to whom in one exchange, as Istio's stats filter labels it. The inbound listener
   * reports as {@code destination}: the caller is known by its mutual TLS principal (its namespace
   * from the SPIFFE id), since this sidecar does not run Istio's metadata exchange. Any other
   * listener reports as {@code source}: the callee is the workload istiod named in the answering
   * endpoint's metadata, the service the host of the {@code outbound|port|subset|host} cluster
   * (else the request's authority).
   *
   * @param cluster the upstream cluster, {@code -} when none was picked
   * @param host the upstream host ({@code ip:port}), {@code -} when none answered
   * @param authority the request's {@code :authority}, empty for TCP
   * @param peerPrincipal the downstream peer's principal (mutual TLS), if any
   * @param localPrincipal the principal of the certificate this proxy presented downstream
   */
  IstioMetrics.Peers peers(
      String listener,
      String cluster,
      String host,
      String authority,
      Optional<String> peerPrincipal,
      Optional<String> localPrincipal) {
    return peers(
        listener,
        cluster,
        host,
        authority,
        peerPrincipal,
        localPrincipal,
        Optional.empty(),
        UpstreamPrincipals.NONE);
  }

  /**
   * {@link #peers(String, String, String, String, Optional, Optional)} with the downstream peer the
   * metadata exchange filter discovered from the request's {@code x-envoy-peer-metadata}: on the
   * inbound listener it names the source workload, app, version and canonical service (the stats
   * filter's {@code source_*} labels), as istio-proxy's peer metadata does. On any other listener
   * the source reporter's {@code source_principal} and {@code destination_principal} are {@code
   * upstream}'s, the certificates of the connection the answering attempt ran over, as istio-proxy
   * reads them from the upstream SSL connection; {@code connection_security_policy} stays {@code
   * unknown} there, as istio-proxy writes it for a client.
   */
  IstioMetrics.Peers peers(
      String listener,
      String cluster,
      String host,
      String authority,
      Optional<String> peerPrincipal,
      Optional<String> localPrincipal,
      Optional<IstioWorkload> downstreamPeer,
      UpstreamPrincipals upstream) {
    String unknown = IstioWorkload.UNKNOWN_VALUE;
    if (inbound.containsKey(listener)) {
      IstioWorkload source =
          downstreamPeer.isPresent()
              ? downstreamPeer.get()
              : peerPrincipal
                  .map(
                      p ->
                          new IstioWorkload(
                              unknown,
                              spiffeNamespace(p).orElse(unknown),
                              unknown,
                              unknown,
                              unknown,
                              unknown,
                              unknown))
                  .orElse(IstioWorkload.UNKNOWN);
      return new IstioMetrics.Peers(
          IstioMetrics.Reporter.DESTINATION,
          source,
          peerPrincipal.orElse(unknown),
          self,
          localPrincipal.orElse(unknown),
          serviceOfAuthority(authority),
          peerPrincipal.isPresent() ? "mutual_tls" : "none");
    }
    String[] parts = cluster.split("\\|", -1);
    String service =
        parts.length == 4 && parts[0].equals("outbound") ? parts[3] : serviceOfAuthority(authority);
    return new IstioMetrics.Peers(
        IstioMetrics.Reporter.SOURCE,
        self,
        upstream.local().orElse(unknown),
        endpointWorkload(host),
        upstream.peer().orElse(unknown),
        service,
        unknown);
  }

  /** The service host of an authority: dotless names resolved in this proxy's namespace. */
  private String serviceOfAuthority(String authority) {
    if (authority == null || authority.isEmpty() || authority.equals("-")) {
      return IstioWorkload.UNKNOWN_VALUE;
    }
    String host = authority;
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']') < colon) {
      host = host.substring(0, colon);
    }
    return dev.meshproof.runtime.registry.Hostnames.resolve(host, self.namespace());
  }

  private static Optional<String> spiffeNamespace(String principal) {
    String[] parts = principal.split("/");
    for (int i = 0; i + 1 < parts.length; i++) {
      if (parts[i].equals("ns")) {
        return Optional.of(parts[i + 1]);
      }
    }
    return Optional.empty();
  }

  /** Called with the EDS assignments the sidecar holds after each accepted EDS response. */
  void endpointsAccepted(List<com.google.protobuf.Any> assignments) {
    endpointWorkloads = EndpointDecoder.workloads(assignments);
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
        && config.listeners().values().stream().allMatch(ListenerConfig::routesResolved)
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
                boolean ejected = cluster.outlierDetector.map(d -> d.isEjected(host)).orElse(false);
                out.append(prefix)
                    .append("health_flags::")
                    .append(ejected ? "/failed_outlier_check" : "healthy")
                    .append('\n');
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
    return inbound.values().stream().findFirst().map(c -> (InetSocketAddress) c.localAddress());
  }

  @Override
  public Map<Integer, InetSocketAddress> inboundAddresses() {
    Map<Integer, InetSocketAddress> addresses = new java.util.LinkedHashMap<>();
    inbound.forEach(
        (name, c) -> addresses.put(inboundPorts.get(name), (InetSocketAddress) c.localAddress()));
    return java.util.Collections.unmodifiableMap(addresses);
  }

  @Override
  public String configDump() {
    return ads.configDump();
  }

  /**
   * Stops the sidecar: the ADS stream, the admin server, the listeners and every connection they
   * accepted, then the upstream connections. Returns when all of them are closed.
   */
  @Override
  public void close() {
    closed = true;
    ads.close();
    routing.clusters().values().forEach(c -> c.retire(null));
    admin.close();
    outbound.close().syncUninterruptibly();
    inbound.values().forEach(c -> c.close().syncUninterruptibly());
    gatewayListeners.values().forEach(c -> c.close().syncUninterruptibly());
    gatewayListeners.clear();
    outboundListeners.values().forEach(c -> c.close().syncUninterruptibly());
    outboundListeners.clear();
    downstreamConnections.close().syncUninterruptibly();
    connections.close();
  }
}
