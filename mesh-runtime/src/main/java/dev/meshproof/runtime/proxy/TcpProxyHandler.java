package dev.meshproof.runtime.proxy;

import dev.meshproof.common.RandomSource;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.route.WeightedClusterPicker;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TcpProxyConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
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
 * connects, and moves bytes both ways until either side closes, then closes the other (after
 * flushing what it had). Bytes arriving before the upstream connects are held, as Envoy holds them
 * (read disabled) until the upstream is up.
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
  private boolean closed;
  private String prefix = "";
  private String clusterPrefix = "";

  TcpProxyHandler(Sidecar sidecar, String listenerName, RandomSource random) {
    this.sidecar = sidecar;
    this.listenerName = listenerName;
    this.random = random;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Added either at accept (outbound TCP listener) or after the transport selector read the
    // first bytes (inbound): the connection is active in both cases.
    start(ctx);
  }

  private void start(ChannelHandlerContext ctx) {
    Sidecar.RoutingState state = sidecar.routingState();
    Optional<TcpProxyConfig> proxy = tcpProxyOf(state, ctx.channel());
    if (proxy.isEmpty()) {
      sidecar.stats().increment("listener." + listenerName + ".no_filter_chain_match");
      close(ctx);
      return;
    }
    prefix = "tcp." + proxy.get().statPrefix() + ".";
    sidecar.stats().increment(prefix + "downstream_cx_total");
    WeightedCluster picked = WeightedClusterPicker.pick(proxy.get().clusters(), random);
    UpstreamCluster cluster = state.clusters().get(picked.name());
    if (cluster == null) {
      sidecar.stats().increment(prefix + "downstream_cx_no_route");
      close(ctx);
      return;
    }
    String clusterPrefix = "cluster." + picked.name() + ".";
    this.clusterPrefix = clusterPrefix;
    if (cluster.config.tls().isPresent()) {
      // Not yet: the embedded TCP proxy speaks plaintext only; closing beats sending cleartext
      // where the mesh requires mutual TLS.
      sidecar.stats().increment(clusterPrefix + "upstream_cx_connect_fail");
      sidecar.log(
          "tcp_proxy "
              + proxy.get().statPrefix()
              + ": cluster "
              + picked.name()
              + " requires TLS, which the embedded TCP proxy does not originate yet");
      close(ctx);
      return;
    }
    var candidates = cluster.candidates(random);
    if (candidates.isEmpty()) {
      sidecar.stats().increment(clusterPrefix + "upstream_cx_none_healthy");
      close(ctx);
      return;
    }
    UpstreamCluster.UpstreamHost host = cluster.loadBalancer.pickHost(candidates, random);
    host.total.increment();
    sidecar.stats().increment(clusterPrefix + "upstream_cx_total");
    Channel downstream = ctx.channel();
    downstream.config().setAutoRead(false);
    int connectMillis =
        (int)
            Math.min(
                Integer.MAX_VALUE, cluster.config.connectionSettings().connectTimeout().toMillis());
    new Bootstrap()
        .group(downstream.eventLoop())
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectMillis))
        .handler(new Relay(downstream, clusterPrefix))
        .connect(host.address)
        .addListener(
            (ChannelFutureListener)
                connected -> {
                  if (!connected.isSuccess()) {
                    sidecar.stats().increment(clusterPrefix + "upstream_cx_connect_fail");
                    close(ctx);
                    return;
                  }
                  upstream = connected.channel();
                  for (ByteBuf buf : pending) {
                    upstream.write(buf);
                  }
                  pending.clear();
                  upstream.flush();
                  if (closed) {
                    closeAfterFlush(upstream);
                  } else {
                    downstream.config().setAutoRead(true);
                  }
                });
  }

  private Optional<TcpProxyConfig> tcpProxyOf(Sidecar.RoutingState state, Channel channel) {
    ListenerConfig listener = state.config().listeners().get(listenerName);
    if (listener == null) {
      return Optional.empty();
    }
    int port = ((InetSocketAddress) channel.localAddress()).getPort();
    return listener
        .filterChainFor(port, ListenerDecoder.RAW_BUFFER)
        .flatMap(FilterChainConfig::tcpProxy);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    sidecar.stats().add(prefix + "downstream_cx_rx_bytes_total", buf.readableBytes());
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
  public void channelInactive(ChannelHandlerContext ctx) {
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
      downstream.writeAndFlush(buf);
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
