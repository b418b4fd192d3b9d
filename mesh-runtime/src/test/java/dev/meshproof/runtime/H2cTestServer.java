package dev.meshproof.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cleartext HTTP/2 app (prior knowledge) for tests of the sidecar's HTTP/2 upstream: it answers
 * each stream {@code h2 <path>} after {@code x-delay-ms} (default: at once), with the {@code
 * grpc-timeout} it received as {@code x-seen-grpc-timeout} and, for a gRPC request, {@code
 * grpc-status: 0} as a trailer; and it counts connections and the most streams in flight on one
 * connection. With {@code goAwayAfter} it sends GOAWAY on a connection once it has answered that
 * many streams there.
 */
final class H2cTestServer implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger maxInFlightOnOneConnection = new AtomicInteger();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS it advertises (0: none)
   * @param goAwayAfter streams answered per connection before GOAWAY (0: never)
   */
  H2cTestServer(long maxConcurrentStreams, int goAwayAfter) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel connection) {
                    connections.incrementAndGet();
                    AtomicInteger inFlight = new AtomicInteger();
                    AtomicInteger answered = new AtomicInteger();
                    Http2Settings settings = Http2Settings.defaultSettings();
                    if (maxConcurrentStreams > 0) {
                      settings.maxConcurrentStreams(maxConcurrentStreams);
                    }
                    connection
                        .pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forServer().initialSettings(settings).build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    stream
                                        .pipeline()
                                        .addLast(
                                            new StreamHandler(
                                                connection, inFlight, answered, goAwayAfter));
                                  }
                                }));
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Streams received so far. */
  int streams() {
    return streams.get();
  }

  /** Streams received and not yet answered, on all connections. */
  int inFlight() {
    return inFlight.get();
  }

  /** The most streams that were in flight at once on one connection. */
  int maxInFlightOnOneConnection() {
    return maxInFlightOnOneConnection.get();
  }

  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final Channel connection;
    private final AtomicInteger inFlight;
    private final AtomicInteger answered;
    private final int goAwayAfter;
    private Http2Headers request;

    StreamHandler(
        Channel connection, AtomicInteger inFlight, AtomicInteger answered, int goAwayAfter) {
      this.connection = connection;
      this.inFlight = inFlight;
      this.answered = answered;
      this.goAwayAfter = goAwayAfter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean ended = false;
        if (msg instanceof Http2HeadersFrame headers) {
          request = headers.headers();
          streams.incrementAndGet();
          maxInFlightOnOneConnection.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          H2cTestServer.this.inFlight.incrementAndGet();
          ended = headers.isEndStream();
        } else if (msg instanceof Http2DataFrame data) {
          ended = data.isEndStream();
        }
        if (ended) {
          CharSequence delay = request.get("x-delay-ms");
          ctx.executor()
              .schedule(
                  () -> answer(ctx),
                  delay == null ? 0 : Long.parseLong(delay.toString()),
                  TimeUnit.MILLISECONDS);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      H2cTestServer.this.inFlight.decrementAndGet();
      if (!ctx.channel().isActive()) {
        inFlight.decrementAndGet();
        return;
      }
      boolean grpc =
          request.get("content-type") != null
              && request.get("content-type").toString().startsWith("application/grpc");
      Http2Headers headers = new DefaultHttp2Headers().status("200");
      CharSequence timeout = request.get("grpc-timeout");
      if (timeout != null) {
        headers.set("x-seen-grpc-timeout", timeout);
      }
      if (grpc) {
        headers.set("content-type", "application/grpc");
      }
      if (goAwayAfter > 0 && answered.incrementAndGet() == goAwayAfter) {
        // Graceful, and before this answer: streams up to this one finish, and a client that
        // sends its next request after this answer already knows to use a new connection.
        connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
      }
      ctx.write(new DefaultHttp2HeadersFrame(headers, false));
      ctx.write(
          new DefaultHttp2DataFrame(
              Unpooled.copiedBuffer("h2 " + request.path(), StandardCharsets.UTF_8), !grpc));
      if (grpc) {
        ctx.write(
            new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
      }
      ctx.flush();
      inFlight.decrementAndGet();
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
