package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.route.WeightedClusterPicker;
import dev.meshproof.runtime.policy.telemetry.IstioMetrics;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TcpProxyConfig;
import dev.meshproof.runtime.transport.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Envoy's {@code tcp_proxy} for one downstream connection: picks the cluster ({@link
 * WeightedClusterPicker}, the same pure pick as HTTP routes, drawn from the sidecar's seeded source
 * keyed by the listener and the connection's sequence number on that listener, so a seed replays
 * the picks of connections made one at a time), picks a host with the cluster's load balancer,
 * connects, and moves bytes both ways. A half-close travels through: when one side shuts its output
 * (FIN), the proxy shuts its output towards the other side after flushing what it had, and the
 * other direction keeps flowing; the connection pair closes once both directions are done, or at
 * once when either side closes fully (reset or close), as Envoy's {@code tcp_proxy} does (it
 * enables half-close on both connections, {@code tcp_proxy.cc}). Bytes arriving before the upstream
 * connects are held, as Envoy holds them (read disabled) until the upstream is up.
 *
 * <p>Istio's TCP metrics ({@link IstioMetrics}: connections opened and closed, bytes sent and
 * received) are counted per connection, with the destination workload istiod named in the picked
 * endpoint's metadata. The connection's labels are set once the upstream is connected, after its
 * TLS handshake, so that the source reporter names the principals of that upstream connection
 * ({@link UpstreamPrincipals}), as istio-proxy's stats filter reads them from the upstream SSL
 * connection; bytes that flowed before are counted then. A connection that never reaches its
 * upstream is labelled at close, without principals, and counted opened there with its flag.
 *
 * <p>Counted as Envoy counts them: {@code tcp.<stat_prefix>.downstream_cx_total}, {@code
 * downstream_cx_rx_bytes_total}, {@code downstream_cx_tx_bytes_total}, {@code
 * downstream_cx_no_route} (no such cluster), {@code upstream_flush_total}; per cluster {@code
 * upstream_cx_total}, {@code upstream_cx_connect_fail}, {@code upstream_cx_none_healthy}. A
 * connection the proxy cannot route is closed at once, as Envoy closes it.
 */
final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
  private final Sidecar sidecar;
  private final String listenerName;
  private final RandomSource random;
  private final List<ByteBuf> pending = new ArrayList<>();
  private Channel upstream;

  /** The filter chain serving the connection; null until {@link #start}. */
  private Optional<FilterChainConfig> chain;

  /** The network RBAC filters have decided (on the first bytes). */
  private boolean rbacChecked;

  private boolean closed;
  private String prefix = "";
  private String clusterPrefix = "";

  /**
   * The connection's metric labels: set once the upstream is connected (its TLS handshake done),
   * when the proxy refuses the connection, or at close when the upstream was never reached.
   */
  private IstioMetrics.Peers peers;

  /** Bytes received from downstream before the labels were known, counted once they are. */
  private long unlabelledReceived;

  /** Bytes sent downstream before the labels were known, counted once they are. */
  private long unlabelledSent;

  private boolean countedOpen;
  private boolean countedClosed;
  private String responseFlags = IstioMetrics.NO_FLAGS;

  /** When the connection was accepted, for the access log's start time and duration. */
  private java.time.Instant start;

  /** The tcp_proxy's access logs; empty until the proxy is known (or when it has none). */
  private List<java.util.Map<String, String>> accessLogFormats = List.of();

  private String cluster = "-";
  private String host = "-";

  /** The downstream sent FIN: nothing more to forward upstream. */
  private boolean downstreamInputDone;

  /** The upstream sent FIN: nothing more to forward downstream. */
  private boolean upstreamInputDone;

  TcpProxyHandler(Sidecar sidecar, String listenerName, RandomSource random) {
    this.sidecar = sidecar;
    this.listenerName = listenerName;
    this.random = random;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Envoy's tcp_proxy half-closes: a downstream FIN must not close the connection here.
    ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    // Added either at accept (outbound TCP listener) or after the transport selector read the
    // first bytes (inbound): the connection is active in both cases. Behind a TLS chain the
    // peer's identity (for RBAC and the metrics) is known once the handshake is done; a failed
    // handshake closes the connection (the transport selector counts it).
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null && !tls.handshakeFuture().isDone()) {
      tls.handshakeFuture()
          .addListener(
              handshake -> {
                if (handshake.isSuccess()) {
                  start(ctx);
                } else {
                  close(ctx);
                }
              });
      return;
    }
    start(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    start = sidecar.clock().instant();
    Sidecar.RoutingState state = sidecar.routingState();
    chain = chainOf(state, ctx.channel());
    Optional<TcpProxyConfig> proxy = chain.flatMap(FilterChainConfig::tcpProxy);
    proxy.ifPresent(
        p ->
            accessLogFormats =
                p.accessLogs().stream().map(ProxyConfig.AccessLogConfig::jsonFormat).toList());
    if (proxy.isEmpty()) {
      sidecar.stats().increment("listener." + listenerName + ".no_filter_chain_match");
      refused(ctx, "-", "NR");
      close(ctx);
      return;
    }
    if (!pending.isEmpty() && !admitted(ctx)) {
      // Bytes that arrived before the chain was known (none behind TLS: they follow the
      // handshake) are judged now.
      close(ctx);
      return;
    }
    prefix = "tcp." + proxy.get().statPrefix() + ".";
    sidecar.stats().increment(prefix + "downstream_cx_total");
    WeightedCluster picked = WeightedClusterPicker.pick(proxy.get().clusters(), random);
    cluster = picked.name();
    UpstreamCluster cluster = state.clusters().get(picked.name());
    if (cluster == null) {
      sidecar.stats().increment(prefix + "downstream_cx_no_route");
      refused(ctx, picked.name(), "NC");
      close(ctx);
      return;
    }
    String clusterPrefix = "cluster." + picked.name() + ".";
    this.clusterPrefix = clusterPrefix;
    Optional<UpstreamTls> upstreamTls = Optional.empty();
    if (cluster.config.tls().isPresent()) {
      ProxyConfig.TlsContextConfig tls = cluster.config.tls().get();
      Optional<io.netty.handler.ssl.SslContext> context = state.tls().context(tls);
      if (context.isEmpty()) {
        // The cluster's secrets have not arrived: never plaintext where TLS is configured.
        sidecar.stats().increment(clusterPrefix + "upstream_cx_connect_fail");
        refused(ctx, picked.name(), "UF");
        close(ctx);
        return;
      }
      upstreamTls = Optional.of(new UpstreamTls(context.get(), tls.sni()));
    }
    var candidates = cluster.candidates(random);
    if (candidates.isEmpty()) {
      sidecar.stats().increment(clusterPrefix + "upstream_cx_none_healthy");
      refused(ctx, picked.name(), "UH");
      close(ctx);
      return;
    }
    UpstreamCluster.UpstreamHost host = cluster.loadBalancer.pickHost(candidates, random);
    host.total.increment();
    sidecar.stats().increment(clusterPrefix + "upstream_cx_total");
    this.host = host.toString();
    Channel downstream = ctx.channel();
    downstream.config().setAutoRead(false);
    int connectMillis =
        (int)
            Math.min(
                Integer.MAX_VALUE, cluster.config.connectionSettings().connectTimeout().toMillis());
    Optional<UpstreamTls> originated = upstreamTls;
    InetSocketAddress address = host.address;
    new Bootstrap()
        .group(downstream.eventLoop())
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectMillis))
        .handler(
            new io.netty.channel.ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                originated.ifPresent(
                    tls -> ch.pipeline().addLast(tls.newHandler(ch.alloc(), address)));
                ch.pipeline().addLast(new Relay(downstream, clusterPrefix));
              }
            })
        .connect(address)
        .addListener(
            (ChannelFutureListener)
                connected -> {
                  if (!connected.isSuccess()) {
                    sidecar.stats().increment(clusterPrefix + "upstream_cx_connect_fail");
                    responseFlags = "UF";
                    label(ctx, UpstreamPrincipals.NONE, false);
                    close(ctx);
                    return;
                  }
                  SslHandler tls = connected.channel().pipeline().get(SslHandler.class);
                  if (tls == null) {
                    upstreamConnected(ctx, connected.channel());
                    return;
                  }
                  // Envoy's tcp_proxy is connected once the transport socket is: after the
                  // handshake. A refused one (wrong identity, no certificate) is UF.
                  tls.handshakeFuture()
                      .addListener(
                          handshake -> {
                            if (handshake.isSuccess()) {
                              upstreamConnected(ctx, connected.channel());
                            } else {
                              sidecar.stats().increment(clusterPrefix + "upstream_cx_connect_fail");
                              responseFlags = "UF";
                              label(ctx, UpstreamPrincipals.NONE, false);
                              connected.channel().close();
                              close(ctx);
                            }
                          });
                });
  }

  /** The upstream is connected (and its TLS up): what the downstream sent so far goes there. */
  private void upstreamConnected(ChannelHandlerContext ctx, Channel connected) {
    Channel downstream = ctx.channel();
    upstream = connected;
    SslHandler tls = connected.pipeline().get(SslHandler.class);
    label(
        ctx,
        UpstreamPrincipals.of(Optional.ofNullable(tls).map(h -> h.engine().getSession())),
        true);
    for (ByteBuf buf : pending) {
      upstream.write(buf);
    }
    pending.clear();
    upstream.flush();
    if (closed) {
      closeAfterFlush(upstream);
    } else if (downstreamInputDone) {
      shutdownOutputAfterFlush(upstream);
      downstream.config().setAutoRead(true);
    } else {
      downstream.config().setAutoRead(true);
    }
  }

  /**
   * Sets the connection's labels once its upstream is reached, or known never to be, with {@code
   * upstream}'s principals, and counts what flowed before. {@code opened}: count the connection
   * opened now (it reached its upstream); otherwise {@link #countClosed} counts it at close, with
   * its flag. Once only: a connection closed before its upstream connected is labelled at close.
   */
  private void label(ChannelHandlerContext ctx, UpstreamPrincipals upstream, boolean opened) {
    if (peers != null) {
      return;
    }
    peers = peersOf(ctx, cluster, host, upstream);
    if (opened) {
      sidecar.istioMetrics().tcpOpened(peers);
      countedOpen = true;
    }
    if (unlabelledReceived > 0) {
      sidecar.istioMetrics().tcpReceived(peers, unlabelledReceived);
      unlabelledReceived = 0;
    }
    if (unlabelledSent > 0) {
      sidecar.istioMetrics().tcpSent(peers, unlabelledSent);
      unlabelledSent = 0;
    }
  }

  /** The filter chain serving {@code channel}: by its port and transport protocol. */
  private Optional<FilterChainConfig> chainOf(Sidecar.RoutingState state, Channel channel) {
    ListenerConfig listener = state.config().listeners().get(listenerName);
    if (listener == null) {
      return Optional.empty();
    }
    return TransportSelector.chainOf(listener, channel);
  }

  /**
   * Envoy's network RBAC filters ({@code source/extensions/filters/network/rbac/rbac_filter.cc}):
   * evaluated once, on the connection's first bytes ({@code ONE_TIME_ON_FIRST_BYTE}), in chain
   * order, over the peer's principal, its address and the local port (no headers on TCP); a denied
   * connection is closed without flushing and counted {@code <stat_prefix>rbac.denied}, an admitted
   * one {@code rbac.allowed}.
   */
  private boolean admitted(ChannelHandlerContext ctx) {
    rbacChecked = true;
    if (chain.isEmpty() || chain.get().networkRbac().isEmpty()) {
      return true;
    }
    RequestContext.DownstreamConnection connection =
        ClientCertHeader.downstreamConnection(ClientCertHeader.connectionOf(ctx.channel()));
    dev.meshproof.runtime.policy.authz.RbacRequest request =
        new dev.meshproof.runtime.policy.authz.RbacRequest(
            connection.peerPrincipal(),
            connection.remoteAddress(),
            connection.localPort(),
            NO_HEADERS);
    for (dev.meshproof.runtime.policy.authz.RbacFilterPolicy rbac : chain.get().networkRbac()) {
      if (!rbac.decide(request).allowed()) {
        sidecar.stats().increment(RBAC_STAT_PREFIX + "rbac.denied");
        return false;
      }
      sidecar.stats().increment(RBAC_STAT_PREFIX + "rbac.allowed");
    }
    return true;
  }

  /** istiod's stat prefix of the network RBAC filter ({@code RBACTCPFilterStatPrefix}). */
  private static final String RBAC_STAT_PREFIX = "tcp.";

  /** What a TCP connection offers the RBAC rules in place of request headers: nothing. */
  private static final dev.meshproof.runtime.policy.route.RequestHeaders NO_HEADERS =
      new dev.meshproof.runtime.policy.route.RequestHeaders("", "", "", java.util.Map.of());

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (closed) {
      buf.release();
      return;
    }
    if (!rbacChecked && chain != null && !admitted(ctx)) {
      buf.release();
      close(ctx);
      return;
    }
    sidecar.stats().add(prefix + "downstream_cx_rx_bytes_total", buf.readableBytes());
    if (peers != null) {
      sidecar.istioMetrics().tcpReceived(peers, buf.readableBytes());
    } else {
      unlabelledReceived += buf.readableBytes();
    }
    if (!clusterPrefix.isEmpty()) {
      sidecar.stats().add(clusterPrefix + "upstream_cx_tx_bytes_total", buf.readableBytes());
    }
    if (upstream == null) {
      pending.add(buf);
      return;
    }
    upstream.writeAndFlush(buf);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      // The downstream is done sending: pass its FIN upstream once what it sent is written.
      downstreamInputDone = true;
      if (upstream != null) {
        shutdownOutputAfterFlush(upstream);
      }
      closeWhenBothDone(ctx.channel());
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!host.equals("-")) {
      // Closed while its upstream was still connecting: labelled now, without principals.
      label(ctx, UpstreamPrincipals.NONE, false);
    }
    countClosed();
    closed = true;
    if (upstream != null) {
      closeAfterFlush(upstream);
    }
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close(ctx);
  }

  /**
   * Counts the connection closed in Istio's metrics and logs it to the tcp_proxy's access logs,
   * once: Envoy logs a connection when it ends, with response code 0 and no HTTP fields.
   */
  private void countClosed() {
    if (peers != null && !countedClosed) {
      countedClosed = true;
      sidecar.istioMetrics().tcpClosed(peers, responseFlags, countedOpen);
      if (start != null) {
        sidecar
            .accessLog()
            .record(
                new dev.meshproof.runtime.telemetry.AccessLogEntry(
                    start,
                    listenerName,
                    "",
                    "",
                    "",
                    "",
                    "",
                    cluster,
                    host,
                    0,
                    java.util.Arrays.stream(dev.meshproof.runtime.telemetry.ResponseFlag.values())
                        .filter(f -> f.code().equals(responseFlags))
                        .findFirst(),
                    java.time.Duration.between(start, sidecar.clock().instant())),
                accessLogFormats);
      }
    }
  }

  /** A connection the proxy refuses before any upstream: labels without a destination workload. */
  private void refused(ChannelHandlerContext ctx, String cluster, String flags) {
    peers = peersOf(ctx, cluster, "-", UpstreamPrincipals.NONE);
    responseFlags = flags;
  }

  private IstioMetrics.Peers peersOf(
      ChannelHandlerContext ctx, String cluster, String host, UpstreamPrincipals upstream) {
    Channel connection = ClientCertHeader.connectionOf(ctx.channel());
    return sidecar.peers(
        listenerName,
        cluster,
        host,
        "",
        ClientCertHeader.downstreamConnection(connection).peerPrincipal(),
        ClientCertHeader.localPrincipal(connection),
        Optional.empty(),
        upstream);
  }

  /** Both directions finished (FIN each way): the pair of connections is done. */
  private void closeWhenBothDone(Channel downstream) {
    if (downstreamInputDone && upstreamInputDone) {
      closeAfterFlush(downstream);
      if (upstream != null) {
        closeAfterFlush(upstream);
      }
    }
  }

  /** Shuts {@code channel}'s output (sends FIN) after the writes queued before it. */
  private static void shutdownOutputAfterFlush(Channel channel) {
    if (channel.isActive() && channel instanceof DuplexChannel duplex) {
      channel
          .writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              (ChannelFutureListener)
                  written -> {
                    if (duplex.isActive()) {
                      duplex.shutdownOutput();
                    }
                  });
    }
  }

  private void close(ChannelHandlerContext ctx) {
    closed = true;
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
    ctx.close();
  }

  private void closeAfterFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The upstream side: moves the upstream's bytes to the downstream connection. */
  private final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel downstream;
    private final String clusterPrefix;

    Relay(Channel downstream, String clusterPrefix) {
      this.downstream = downstream;
      this.clusterPrefix = clusterPrefix;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      int bytes = buf.readableBytes();
      sidecar.stats().add(prefix + "downstream_cx_tx_bytes_total", bytes);
      sidecar.stats().add(clusterPrefix + "upstream_cx_rx_bytes_total", bytes);
      if (peers != null) {
        sidecar.istioMetrics().tcpSent(peers, bytes);
      } else {
        unlabelledSent += bytes;
      }
      downstream.writeAndFlush(buf);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        // The upstream is done sending: pass its FIN downstream; the request side keeps going.
        upstreamInputDone = true;
        shutdownOutputAfterFlush(downstream);
        closeWhenBothDone(downstream);
        return;
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      sidecar.stats().increment(clusterPrefix + "upstream_cx_destroy");
      closeAfterFlush(downstream);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
