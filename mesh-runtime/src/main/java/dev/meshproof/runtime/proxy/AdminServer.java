package dev.meshproof.runtime.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The embedded sidecar's admin interface on a loopback port, with the endpoints of Envoy's admin
 * that tooling reads: {@code /ready}, {@code /config_dump}, {@code /clusters}, {@code /stats} and
 * {@code /stats/prometheus}. Read-only: nothing here changes the proxy.
 */
final class AdminServer implements AutoCloseable {
  private final Channel channel;

  /** Accepted admin connections, closed with the server (a server channel leaves them open). */
  private final ChannelGroup connections =
      new DefaultChannelGroup("sidecar-admin", GlobalEventExecutor.INSTANCE);

  private volatile boolean closed;

  AdminServer(EventLoopGroup group, Sidecar sidecar) {
    this.channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    if (closed) {
                      ch.close();
                      return;
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Handler(sidecar));
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    closed = true;
    channel.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Sidecar sidecar;

    Handler(Sidecar sidecar) {
      this.sidecar = sidecar;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      if (!request.method().equals(HttpMethod.GET)) {
        reply(
            ctx,
            request,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "text/plain",
            "admin is read-only: GET only\n");
        return;
      }
      switch (path) {
        case "/ready" -> {
          boolean ready = sidecar.ready();
          reply(
              ctx,
              request,
              ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
              "text/plain",
              ready ? "LIVE\n" : "PRE_INITIALIZING\n");
        }
        case "/config_dump" ->
            reply(ctx, request, HttpResponseStatus.OK, "application/json", sidecar.configDump());
        case "/clusters" ->
            reply(ctx, request, HttpResponseStatus.OK, "text/plain", sidecar.clustersText());
        case "/stats" -> {
          StringBuilder out = new StringBuilder();
          sidecar
              .stats()
              .snapshot()
              .forEach((name, value) -> out.append(name).append(": ").append(value).append('\n'));
          reply(ctx, request, HttpResponseStatus.OK, "text/plain", out.toString());
        }
        case "/stats/prometheus" ->
            reply(
                ctx,
                request,
                HttpResponseStatus.OK,
                "text/plain; version=0.0.4",
                sidecar.stats().prometheus() + sidecar.istioMetrics().prometheus());
        default ->
            reply(
                ctx,
                request,
                HttpResponseStatus.NOT_FOUND,
                "text/plain",
                "unknown admin path "
                    + path
                    + " (available: /ready, /config_dump, /clusters, /stats, /stats/prometheus)\n");
      }
    }

    private static void reply(
        ChannelHandlerContext ctx,
        FullHttpRequest request,
        HttpResponseStatus status,
        String type,
        String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
