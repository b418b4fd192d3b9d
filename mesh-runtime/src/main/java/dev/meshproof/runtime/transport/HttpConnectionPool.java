package dev.meshproof.runtime.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Keep-alive HTTP/1.1 or HTTP/2 connections to upstream addresses, one pool per address and
 * settings. Used by the sidecar for upstream requests and by the traffic client for requests into
 * the mesh, so both move bytes the same way. Every exchange ends in a response or an {@link
 * UpstreamException}. An HTTP/1.1 connection carries one exchange at a time. With {@link
 * UpstreamConnectionSettings#http2()} a connection speaks HTTP/2 (cleartext by prior knowledge, as
 * Envoy's explicit HTTP/2 upstream does) and each exchange is one stream on it, many at a time on
 * one connection ({@link Http2HostPool}, Envoy's HTTP/2 pool). {@link #stream} hands the response
 * over once its head arrived, its body following as it arrives ({@link StreamedResponse}), as the
 * sidecar's router forwards it; {@link #send} hands it over whole, trailers included ({@code
 * grpc-status}), as a client reads it.
 */
public final class HttpConnectionPool implements AutoCloseable {
  private static final AttributeKey<Exchange> PENDING = AttributeKey.valueOf("meshproof.pending");
  private static final int MAX_BODY = 16 * 1024 * 1024;

  private static final AttributeKey<Integer> REQUESTS = AttributeKey.valueOf("meshproof.requests");
  private static final AttributeKey<SslHandler> TLS_HANDLER = AttributeKey.valueOf("meshproof.tls");
  private static final AttributeKey<ScheduledFuture<?>> IDLE_TIMER =
      AttributeKey.valueOf("meshproof.idleTimer");
  private static final AttributeKey<Boolean> EXPIRED = AttributeKey.valueOf("meshproof.expired");

  /**
   * One pool per upstream address, cluster settings and TLS context (none for plaintext), as Envoy
   * pools per cluster and host.
   */
  private record PoolKey(
      InetSocketAddress address, UpstreamConnectionSettings settings, Optional<UpstreamTls> tls) {}

  private final EventLoopGroup group;
  private final UpstreamConnectionSettings defaults;
  private final Map<PoolKey, SimpleChannelPool> pools = new ConcurrentHashMap<>();
  private final Map<PoolKey, Http2HostPool> http2Pools = new ConcurrentHashMap<>();

  /**
   * Every connection the pools opened, idle or in use: a pool's own close only closes the idle
   * ones.
   */
  private final ChannelGroup channels =
      new DefaultChannelGroup("http-connection-pool", GlobalEventExecutor.INSTANCE);

  private volatile boolean closed;

  public HttpConnectionPool(EventLoopGroup group, Duration connectTimeout) {
    this.group = group;
    this.defaults = UpstreamConnectionSettings.ENVOY_DEFAULTS.withConnectTimeout(connectTimeout);
  }

  /**
   * Sends {@code request} (ownership passes to the pool) to {@code address}. The returned response
   * must be released by the caller. A zero {@code timeout} waits indefinitely, like Istio's
   * disabled route timeout.
   */
  public CompletableFuture<FullHttpResponse> send(
      InetSocketAddress address, FullHttpRequest request, Duration timeout) {
    return send(address, request, timeout, defaults);
  }

  /**
   * Sends {@code request} as {@link #send(InetSocketAddress, FullHttpRequest, Duration)} does, over
   * a connection opened and retired as {@code settings} say (the cluster's connect timeout, idle
   * timeout, requests per connection and connection duration).
   */
  public CompletableFuture<FullHttpResponse> send(
      InetSocketAddress address,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings) {
    return send(address, request, timeout, settings, Optional.empty());
  }

  /**
   * Sends {@code request} as {@link #send(InetSocketAddress, FullHttpRequest, Duration,
   * UpstreamConnectionSettings)} does, over a connection with {@code tls}, if given: the request is
   * written once the handshake succeeded; a failed handshake (the peer's certificate refused, or
   * ours) is a connection failure, as Envoy's.
   */
  public CompletableFuture<FullHttpResponse> send(
      InetSocketAddress address,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings,
      Optional<UpstreamTls> tls) {
    return send(address, request, timeout, settings, tls, () -> {});
  }

  /**
   * Sends {@code request} as {@link #send(InetSocketAddress, FullHttpRequest, Duration,
   * UpstreamConnectionSettings, Optional)} does, telling {@code firstChunk} when the response's
   * first body bytes arrive.
   */
  public CompletableFuture<FullHttpResponse> send(
      InetSocketAddress address,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings,
      Optional<UpstreamTls> tls,
      Runnable firstChunk) {
    CompletableFuture<FullHttpResponse> head = stream(address, request, timeout, settings, tls);
    CompletableFuture<FullHttpResponse> whole = new CompletableFuture<>();
    // The timeout covers the whole response here: a client waits for all of it.
    ScheduledFuture<?> timer =
        timeout.isZero()
            ? null
            : group
                .next()
                .schedule(
                    () ->
                        whole.completeExceptionally(
                            new UpstreamException(
                                UpstreamException.Kind.TIMEOUT,
                                "no response within " + timeout,
                                null)),
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
    head.whenComplete(
        (response, error) -> {
          if (error != null) {
            whole.completeExceptionally(error);
            return;
          }
          ((StreamedResponse) response)
              .aggregate(MAX_BODY, firstChunk)
              .whenComplete(
                  (full, failure) -> {
                    if (failure != null) {
                      whole.completeExceptionally(failure);
                    } else if (!whole.complete(full)) {
                      full.release();
                    }
                  });
          whole.whenComplete(
              (full, failure) -> {
                if (failure != null) {
                  ((StreamedResponse) response)
                      .cancel(
                          new UpstreamException(
                              UpstreamException.Kind.RESET, "response abandoned", failure));
                }
              });
        });
    whole.whenComplete(
        (full, failure) -> {
          if (timer != null) {
            timer.cancel(false);
          }
          if (failure != null) {
            // Given up before the head arrived: the exchange is reset.
            head.completeExceptionally(failure);
          }
        });
    return whole;
  }

  /**
   * Sends {@code request} as {@link #send(InetSocketAddress, FullHttpRequest, Duration,
   * UpstreamConnectionSettings, Optional)} does, but completes as soon as the response's head
   * arrived, with a {@link StreamedResponse} whose body follows as it arrives. {@code timeout}
   * bounds the wait for the head (Envoy's per-try timeout, which no longer applies once the
   * response started downstream). Failing the returned future before the head arrived resets the
   * exchange; releasing the response unread resets it after.
   */
  public CompletableFuture<FullHttpResponse> stream(
      InetSocketAddress address,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings,
      Optional<UpstreamTls> tls) {
    CompletableFuture<FullHttpResponse> result = new CompletableFuture<>();
    stripConversionHeaders(request);
    if (settings.http2()) {
      HttpUtil.setKeepAlive(request, true);
      http2Pools
          .computeIfAbsent(new PoolKey(address, settings, tls), this::newHttp2Pool)
          .send(request, timeout, result);
      return result;
    }
    ChannelPool pool =
        pools.computeIfAbsent(new PoolKey(address, settings, tls), key -> newPool(key));
    pool.acquire()
        .addListener(
            acquired -> {
              if (!acquired.isSuccess()) {
                ReferenceCountUtil.release(request);
                result.completeExceptionally(
                    new UpstreamException(
                        UpstreamException.Kind.CONNECT_FAILURE,
                        "connection failure to " + address + ": " + acquired.cause().getMessage(),
                        acquired.cause()));
                return;
              }
              Channel channel = (Channel) acquired.getNow();
              ScheduledFuture<?> idle = channel.attr(IDLE_TIMER).getAndSet(null);
              if (idle != null) {
                idle.cancel(false);
              }
              // Kept by the channel: a handshake that failed already closed it, and a closed
              // channel's pipeline no longer lists the handler (that is no plaintext channel).
              SslHandler handshaking = channel.attr(TLS_HANDLER).get();
              if (handshaking == null || handshaking.handshakeFuture().isSuccess()) {
                exchange(pool, channel, request, timeout, settings, result);
                return;
              }
              handshaking
                  .handshakeFuture()
                  .addListener(
                      handshake -> {
                        if (handshake.isSuccess()) {
                          exchange(pool, channel, request, timeout, settings, result);
                          return;
                        }
                        ReferenceCountUtil.release(request);
                        channel.close();
                        pool.release(channel);
                        result.completeExceptionally(
                            new UpstreamException(
                                UpstreamException.Kind.CONNECT_FAILURE,
                                "connection failure to "
                                    + address
                                    + ", transport failure reason: TLS error: "
                                    + handshake.cause().getMessage(),
                                handshake.cause()));
                      });
            });
    return result;
  }

  /**
   * One HTTP/1.1 exchange on a connection: {@code head} completes when the response's head arrived
   * (or the exchange failed first); {@code done} when the connection is free again (true) or must
   * close (false).
   */
  private static final class Exchange {
    final CompletableFuture<FullHttpResponse> head = new CompletableFuture<>();
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    StreamedResponse response;
    boolean interim;
  }

  private void exchange(
      ChannelPool pool,
      Channel channel,
      FullHttpRequest request,
      Duration timeout,
      UpstreamConnectionSettings settings,
      CompletableFuture<FullHttpResponse> result) {
    HttpUtil.setKeepAlive(request, true);
    int served = channel.attr(REQUESTS).get() == null ? 1 : channel.attr(REQUESTS).get() + 1;
    channel.attr(REQUESTS).set(served);
    Exchange exchange = new Exchange();
    channel.attr(PENDING).set(exchange);
    // The caller may end the exchange before the head arrived (a route timeout): that resets the
    // connection.
    result.whenComplete(
        (response, error) -> {
          if (error != null) {
            exchange.head.completeExceptionally(error);
          }
        });
    ScheduledFuture<?> timer = armTimeout(channel, timeout, exchange.head);
    exchange.head.whenComplete(
        (response, error) -> {
          if (timer != null) {
            timer.cancel(false);
          }
          if (error != null) {
            channel.close();
            exchange.done.complete(false);
            result.completeExceptionally(error);
          } else if (!result.complete(response)) {
            response.release();
          }
        });
    // The connection is released (or closed) when the response ended, before the caller hears the
    // end, so a caller that sends again at once finds it idle in the pool, as Envoy's pool reuses
    // it.
    exchange.done.whenComplete(
        (reusable, error) -> {
          channel.attr(PENDING).compareAndSet(exchange, null);
          boolean retired =
              // Envoy drains a connection once it served max_requests_per_connection requests or
              // outlived max_connection_duration.
              (settings.maxRequestsPerConnection().isPresent()
                      && served >= settings.maxRequestsPerConnection().getAsInt())
                  || Boolean.TRUE.equals(channel.attr(EXPIRED).get());
          if (!Boolean.TRUE.equals(reusable) || retired) {
            channel.close();
          } else if (!settings.idleTimeout().isZero()) {
            channel
                .attr(IDLE_TIMER)
                .set(
                    channel
                        .eventLoop()
                        .schedule(
                            () -> {
                              if (channel.attr(PENDING).get() == null) {
                                channel.close();
                              }
                            },
                            settings.idleTimeout().toNanos(),
                            TimeUnit.NANOSECONDS));
          }
          pool.release(channel);
        });
    channel.writeAndFlush(request).addListener(failOnWriteError(exchange.head));
  }

  /**
   * Fails {@code attempt} as a timeout once {@code timeout} passed on {@code channel}'s event loop;
   * null when {@code timeout} is zero (no timeout). The caller cancels it when the attempt ends.
   */
  static ScheduledFuture<?> armTimeout(
      Channel channel, Duration timeout, CompletableFuture<FullHttpResponse> attempt) {
    if (timeout.isZero()) {
      return null;
    }
    return channel
        .eventLoop()
        .schedule(
            () ->
                attempt.completeExceptionally(
                    new UpstreamException(
                        UpstreamException.Kind.TIMEOUT, "no response within " + timeout, null)),
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** Fails {@code attempt} as a reset when the request could not be written. */
  static io.netty.util.concurrent.GenericFutureListener<ChannelFuture> failOnWriteError(
      CompletableFuture<FullHttpResponse> attempt) {
    return written -> {
      if (!written.isSuccess()) {
        attempt.completeExceptionally(
            new UpstreamException(
                UpstreamException.Kind.RESET,
                "upstream write failed: " + written.cause().getMessage(),
                written.cause()));
      }
    };
  }

  /**
   * Netty's HTTP/2 conversion headers (x-http2-scheme, x-http2-stream-id) of a request that came in
   * over HTTP/2 are not the app's: they never go upstream.
   */
  private static void stripConversionHeaders(FullHttpRequest request) {
    // Every request passes here and almost none has such a header: look without copying the
    // header names (a set and a list per request were 7 % of the sidecar's allocation under load).
    List<CharSequence> conversion = null;
    var headers = request.headers().iteratorCharSequence();
    while (headers.hasNext()) {
      CharSequence name = headers.next().getKey();
      if (AsciiString.regionMatches(name, true, 0, CONVERSION_HEADER_PREFIX, 0, 8)) {
        if (conversion == null) {
          conversion = new ArrayList<>(2);
        }
        conversion.add(name);
      }
    }
    if (conversion != null) {
      conversion.forEach(request.headers()::remove);
    }
  }

  private static final String CONVERSION_HEADER_PREFIX = "x-http2-";

  private Bootstrap bootstrap(InetSocketAddress address, UpstreamConnectionSettings settings) {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(
            ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, Math.max(1, settings.connectTimeout().toMillis())))
        .remoteAddress(address);
  }

  private Http2HostPool newHttp2Pool(PoolKey key) {
    return new Http2HostPool(
        bootstrap(key.address(), key.settings()),
        key.address(),
        key.settings(),
        channel -> {
          channels.add(channel);
          if (closed) {
            channel.close();
            return;
          }
          installTls(channel, key);
        });
  }

  /** The cluster's TLS on a new connection, if it has any. */
  private static void installTls(Channel channel, PoolKey key) {
    InetSocketAddress address = key.address();
    key.tls()
        .ifPresent(
            tls -> {
              SSLEngine engine =
                  tls.context()
                      .newEngine(channel.alloc(), address.getHostString(), address.getPort());
              tls.sni()
                  .ifPresent(
                      sni -> {
                        // istiod's SNI (outbound_.80_._.host) has underscores, which the JDK's TLS
                        // server refuses as illegal_parameter; such a name is not sent (a
                        // documented difference: sidecar inbound chains never match on SNI, so
                        // no routing depends on it).
                        SSLParameters params = engine.getSSLParameters();
                        validHostName(sni).ifPresent(name -> params.setServerNames(List.of(name)));
                        engine.setSSLParameters(params);
                      });
              SslHandler handler = new SslHandler(engine);
              channel.attr(TLS_HANDLER).set(handler);
              channel.pipeline().addLast(handler);
            });
  }

  private SimpleChannelPool newPool(PoolKey key) {
    UpstreamConnectionSettings settings = key.settings();
    return new SimpleChannelPool(
        bootstrap(key.address(), settings),
        new AbstractChannelPoolHandler() {
          @Override
          public void channelCreated(Channel channel) {
            channels.add(channel);
            if (closed) {
              channel.close();
              return;
            }
            installTls(channel, key);
            settings
                .maxConnectionDuration()
                .ifPresent(
                    age ->
                        channel
                            .eventLoop()
                            .schedule(
                                () -> {
                                  // An idle connection closes now, a busy one after its request.
                                  channel.attr(EXPIRED).set(true);
                                  if (channel.attr(PENDING).get() == null) {
                                    channel.close();
                                  }
                                },
                                age.toNanos(),
                                TimeUnit.NANOSECONDS));
            channel.pipeline().addLast(new HttpClientCodec()).addLast(new ResponseHandler());
          }
        });
  }

  private static Optional<SNIServerName> validHostName(String sni) {
    try {
      return Optional.of(new SNIHostName(sni));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Resets {@code exchange} by closing its connection, on the connection's event loop, only while
   * the exchange is still the connection's pending one. A response is dropped on another thread
   * (the router's, releasing a 503 it retries) while its body may still be arriving: by the time
   * the reset runs, the body may have ended and the connection gone back to the pool, even to the
   * next exchange, which a close would fail as "connection termination" without it reaching the
   * upstream. Envoy resets a stream, never the connection under another one.
   */
  private static void resetExchange(Channel channel, Exchange exchange) {
    if (channel.eventLoop().inEventLoop()) {
      if (channel.attr(PENDING).get() == exchange) {
        channel.close();
      }
    } else {
      try {
        channel.eventLoop().execute(() -> resetExchange(channel, exchange));
      } catch (RejectedExecutionException e) {
        // The event loop is shutting down (the pool closed): every connection closes anyway.
        channel.close();
      }
    }
  }

  /**
   * Hands the pending exchange its response's head, then the body as it arrives; fails it when the
   * connection dies first.
   */
  private static final class ResponseHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Exchange exchange = ctx.channel().attr(PENDING).get();
      if (exchange == null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse head) {
        if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL
            && head.status().code() != 101) {
          // An interim answer (100 Continue to a forwarded Expect): the final response follows.
          exchange.interim = !(msg instanceof LastHttpContent);
          ReferenceCountUtil.release(msg);
          return;
        }
        Channel channel = ctx.channel();
        exchange.response =
            new StreamedResponse(head, channel, () -> resetExchange(channel, exchange));
        exchange.head.complete(exchange.response);
      }
      if (!(msg instanceof HttpContent content)) {
        return;
      }
      if (exchange.interim) {
        exchange.interim = !(msg instanceof LastHttpContent);
        content.release();
        return;
      }
      StreamedResponse response = exchange.response;
      if (response == null) {
        content.release();
        return;
      }
      if (content.content().isReadable()) {
        response.content(content.content().retain());
      }
      if (msg instanceof LastHttpContent last) {
        HttpHeaders trailers = last.trailingHeaders();
        // The connection is free before the body's end is heard.
        exchange.done.complete(HttpUtil.isKeepAlive(response));
        response.end(trailers);
      }
      content.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(ctx, UpstreamException.Kind.RESET, "upstream connection closed before a response", null);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(
          ctx,
          UpstreamException.Kind.RESET,
          "upstream connection error: " + cause.getMessage(),
          cause);
      ctx.close();
    }

    private static void fail(
        ChannelHandlerContext ctx, UpstreamException.Kind kind, String message, Throwable cause) {
      Exchange exchange = ctx.channel().attr(PENDING).get();
      if (exchange == null) {
        return;
      }
      UpstreamException failure = new UpstreamException(kind, message, cause);
      exchange.head.completeExceptionally(failure);
      if (exchange.response != null) {
        exchange.response.reset(
            new UpstreamException(
                kind, "upstream connection closed during the response body", cause));
      }
      exchange.done.complete(false);
    }
  }

  /** Closes every connection, idle or in use (an exchange in flight ends in a reset). */
  @Override
  public void close() {
    closed = true;
    pools.values().forEach(SimpleChannelPool::close);
    pools.clear();
    http2Pools.clear();
    channels.close().syncUninterruptibly();
  }
}
