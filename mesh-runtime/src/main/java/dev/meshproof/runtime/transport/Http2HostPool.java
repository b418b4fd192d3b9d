package dev.meshproof.runtime.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Envoy's HTTP/2 connection pool for one upstream host of one cluster ({@code
 * source/common/http/http2/conn_pool.cc}, {@code source/common/conn_pool/conn_pool_base.cc}): each
 * exchange is a stream on a shared connection, as many at a time as the peer's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} allows; a new connection opens only when every open (or
 * connecting) one is full, draining or retired. A connection drains (takes no new streams, closes
 * when its last stream ends) after a GOAWAY from the peer, after {@code
 * max_requests_per_connection} streams, after {@code max_connection_duration}, or when its stream
 * ids run out; it closes after {@code idle_timeout} without streams. A per-try timeout or a caller
 * that gives up resets the stream (RST_STREAM CANCEL), not the connection.
 *
 * <p>A response is handed over once its head arrived ({@link StreamedResponse}), its DATA frames
 * and trailers following as they arrive, as Envoy's router forwards a server-streaming answer; the
 * stream counts against the connection until it closes.
 */
final class Http2HostPool {
  /** Stream ids left below which a connection takes no new stream (ids are 31-bit, odd). */
  private static final int STREAM_IDS_RESERVE = 1_000;

  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final UpstreamConnectionSettings settings;
  private final Consumer<Channel> onCreated;
  private final List<Connection> connections = new ArrayList<>();

  /**
   * @param bootstrap connects to the host (each connection gets its own copy and handler)
   * @param onCreated installs TLS (if any) on a new connection and registers it for {@code close}
   */
  Http2HostPool(
      Bootstrap bootstrap,
      InetSocketAddress address,
      UpstreamConnectionSettings settings,
      Consumer<Channel> onCreated) {
    this.address = address;
    this.settings = settings;
    this.onCreated = onCreated;
    this.bootstrap = bootstrap;
  }

  /** Open connections (connecting ones included), for tests and stats. */
  synchronized int connectionCount() {
    return connections.size();
  }

  /**
   * Sends {@code request} (ownership passes here) as one stream; the response must be released by
   * the caller. A zero {@code timeout} waits indefinitely. Failing {@code result} first (the caller
   * gave up) resets the stream.
   */
  void send(FullHttpRequest request, Duration timeout, CompletableFuture<FullHttpResponse> result) {
    Connection connection = reserve();
    connection.ready.whenComplete(
        (ignored, failure) -> {
          if (failure != null) {
            ReferenceCountUtil.release(request);
            connection.streamEnded();
            result.completeExceptionally(failure);
            return;
          }
          openStream(connection, request, timeout, result);
        });
  }

  /** The connection the next stream goes on: one with room, else a new one. */
  private synchronized Connection reserve() {
    connections.removeIf(c -> c.closed);
    Connection chosen = null;
    for (Connection c : connections) {
      if (c.hasRoom()) {
        chosen = c;
        break;
      }
    }
    if (chosen == null) {
      chosen = new Connection();
      connections.add(chosen);
    }
    chosen.streamStarted();
    return chosen;
  }

  private void openStream(
      Connection connection,
      FullHttpRequest request,
      Duration timeout,
      CompletableFuture<FullHttpResponse> result) {
    if (result.isDone()) {
      // The caller gave up while the connection was opening.
      ReferenceCountUtil.release(request);
      connection.streamEnded();
      return;
    }
    Channel channel = connection.channel;
    CompletableFuture<FullHttpResponse> attempt = new CompletableFuture<>();
    // The stream holds its place on the connection until it closes (its body may stream long after
    // the head was handed over), or until it failed to open.
    java.util.concurrent.atomic.AtomicBoolean counted =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Runnable streamEnded =
        () -> {
          if (counted.compareAndSet(true, false)) {
            connection.streamEnded();
          }
        };
    new Http2StreamChannelBootstrap(channel)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream
                    .pipeline()
                    .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                    .addLast(new StreamResponseHandler(attempt));
              }
            })
        .open()
        .addListener(
            opened -> {
              if (!opened.isSuccess()) {
                ReferenceCountUtil.release(request);
                streamEnded.run();
                attempt.completeExceptionally(
                    new UpstreamException(
                        UpstreamException.Kind.RESET,
                        "upstream HTTP/2 stream refused: " + opened.cause().getMessage(),
                        opened.cause()));
                return;
              }
              Channel stream = (Channel) opened.getNow();
              stream.closeFuture().addListener(closed -> streamEnded.run());
              ScheduledFuture<?> timer = HttpConnectionPool.armTimeout(stream, timeout, attempt);
              // A stream that ends without its head (timeout, the caller gave up) is reset, which
              // leaves the connection and its other streams alone.
              attempt.whenComplete(
                  (response, error) -> {
                    if (timer != null) {
                      timer.cancel(false);
                    }
                    if (error != null) {
                      stream.close();
                    }
                  });
              stream
                  .writeAndFlush(request)
                  .addListener(HttpConnectionPool.failOnWriteError(attempt));
            });
    result.whenComplete(
        (response, error) -> {
          if (error != null) {
            attempt.completeExceptionally(error);
          }
        });
    attempt.whenComplete(
        (response, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else if (!result.complete(response)) {
            response.release();
          }
        });
  }

  /** One upstream HTTP/2 connection and the pool's account of it. */
  private final class Connection {
    final Channel channel;

    /** Completes once the connection (and its TLS handshake, if any) is up. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    // Guarded by Http2HostPool.this.
    int active;
    int opened;
    boolean draining;
    boolean closed;
    ScheduledFuture<?> idleTimer;

    Connection() {
      var connect =
          bootstrap
              .clone()
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                      onCreated.accept(channel);
                      channel
                          .pipeline()
                          // Streams beyond the peer's SETTINGS_MAX_CONCURRENT_STREAMS wait in
                          // the encoder until one ends, as nghttp2 holds them in Envoy.
                          .addLast(
                              Http2FrameCodecBuilder.forClient()
                                  .encoderEnforceMaxConcurrentStreams(true)
                                  .build())
                          .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                          .addLast(new ConnectionEvents());
                    }
                  })
              .connect(address);
      channel = connect.channel();
      channel.closeFuture().addListener(f -> closed());
      connect.addListener(
          connected -> {
            if (!connected.isSuccess()) {
              ready.completeExceptionally(
                  new UpstreamException(
                      UpstreamException.Kind.CONNECT_FAILURE,
                      "connection failure to " + address + ": " + connected.cause().getMessage(),
                      connected.cause()));
              return;
            }
            settings
                .maxConnectionDuration()
                .ifPresent(
                    age ->
                        channel
                            .eventLoop()
                            .schedule(this::drain, age.toNanos(), TimeUnit.NANOSECONDS));
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            if (tls == null) {
              ready.complete(null);
              return;
            }
            tls.handshakeFuture()
                .addListener(
                    handshake -> {
                      if (handshake.isSuccess()) {
                        ready.complete(null);
                        return;
                      }
                      channel.close();
                      ready.completeExceptionally(
                          new UpstreamException(
                              UpstreamException.Kind.CONNECT_FAILURE,
                              "connection failure to "
                                  + address
                                  + ", transport failure reason: TLS error: "
                                  + handshake.cause().getMessage(),
                              handshake.cause()));
                    });
          });
    }

    /** What the connection itself tells the pool: a GOAWAY from the peer. */
    private final class ConnectionEvents extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2GoAwayFrame) {
          // The peer takes no new streams here (the codec resets those above its last stream id):
          // later exchanges go to another connection, as Envoy's pool does.
          drain();
        }
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    }

    /** Whether a new stream may go here now (a connecting connection counts as open). */
    boolean hasRoom() {
      if (closed || draining || ready.isCompletedExceptionally()) {
        return false;
      }
      Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
      // The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive, as
      // Envoy assumes the configured maximum for a connecting client).
      int maxConcurrent =
          codec == null ? Integer.MAX_VALUE : codec.connection().local().maxActiveStreams();
      if (codec != null
          && codec.connection().local().lastStreamCreated()
              > Integer.MAX_VALUE - STREAM_IDS_RESERVE) {
        draining = true;
        return false;
      }
      return active < maxConcurrent;
    }

    /** Called with the pool's lock held. */
    void streamStarted() {
      active++;
      opened++;
      if (idleTimer != null) {
        idleTimer.cancel(false);
        idleTimer = null;
      }
      if (settings.maxRequestsPerConnection().isPresent()
          && opened >= settings.maxRequestsPerConnection().getAsInt()) {
        // Envoy drains a connection once it served max_requests_per_connection streams.
        draining = true;
      }
    }

    void streamEnded() {
      synchronized (Http2HostPool.this) {
        active--;
        if (active > 0 || closed) {
          return;
        }
        if (draining) {
          channel.close();
        } else if (!settings.idleTimeout().isZero()) {
          idleTimer =
              channel
                  .eventLoop()
                  .schedule(
                      this::closeIfIdle, settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
      }
    }

    private void closeIfIdle() {
      synchronized (Http2HostPool.this) {
        if (active == 0) {
          draining = true;
          channel.close();
        }
      }
    }

    void drain() {
      synchronized (Http2HostPool.this) {
        draining = true;
        if (active == 0) {
          channel.close();
        }
      }
    }

    private void closed() {
      synchronized (Http2HostPool.this) {
        closed = true;
        connections.remove(this);
      }
    }
  }

  /**
   * Hands the exchange its response's head, then the DATA frames and trailers as they arrive; fails
   * the exchange (or resets the body) when the stream is reset or closes first.
   */
  private static final class StreamResponseHandler extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<FullHttpResponse> attempt;
    private StreamedResponse response;

    StreamResponseHandler(CompletableFuture<FullHttpResponse> attempt) {
      this.attempt = attempt;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpResponse head) {
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          ReferenceCountUtil.release(msg);
          return;
        }
        // Netty's conversion marks the message with its stream id and, without a content-length,
        // as chunked: neither is a header the peer sent.
        head.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        if (!(msg instanceof HttpContent)) {
          head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        Channel stream = ctx.channel();
        response = new StreamedResponse(head, stream, stream::close);
        attempt.complete(response);
      }
      if (!(msg instanceof HttpContent content)) {
        return;
      }
      if (response == null) {
        content.release();
        return;
      }
      if (content.content().isReadable()) {
        response.content(content.content().retain());
      }
      if (msg instanceof LastHttpContent last) {
        response.end(last.trailingHeaders());
      }
      content.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      attempt.completeExceptionally(
          new UpstreamException(
              UpstreamException.Kind.RESET,
              "upstream HTTP/2 stream closed before a response",
              null));
      if (response != null) {
        response.reset(
            new UpstreamException(
                UpstreamException.Kind.RESET,
                "upstream HTTP/2 stream closed during the response body",
                null));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      UpstreamException failure =
          new UpstreamException(
              UpstreamException.Kind.RESET,
              "upstream HTTP/2 stream error: " + cause.getMessage(),
              cause);
      attempt.completeExceptionally(failure);
      if (response != null) {
        response.reset(failure);
      }
      ctx.close();
    }
  }
}
