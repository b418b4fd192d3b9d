package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.PathNormalization;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.proxy.ProxyConfig.AccessLogConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ConnectionManagerOptions;
import dev.meshproof.runtime.proxy.ProxyConfig.FilterChainConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpConnectionManagerConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.telemetry.AccessLogEntry;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.transport.StreamedResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec adapter of one sidecar listener: turns a decoded HTTP message into a {@link
 * RequestContext}, runs the filter chain of the listener's matching filter chain (which ends in the
 * {@link Router}), and writes, counts and logs the {@link RequestOutcome}, each in one place. It
 * makes no mesh decision itself. One request at a time per downstream connection (no pipelining),
 * as Envoy's HTTP/1.1 codec serves it.
 */
final class HttpProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);

  private static final List<HttpFilterConfig> ROUTER_ONLY = List.of(new HttpFilterConfig.Router());

  private final Sidecar sidecar;
  private final String listenerName;

  HttpProxyHandler(Sidecar sidecar, String listenerName) {
    this.sidecar = sidecar;
    this.listenerName = listenerName;
  }

  /**
   * Requests that arrived (pipelined) while one was in flight. Pausing reads does not stop requests
   * already decoded from the same read, so they wait here and are answered strictly in order.
   */
  private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>();

  private boolean inFlight;

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    ctx.channel().config().setAutoRead(false);
    if (inFlight) {
      pipelined.addLast(request.retain());
      return;
    }
    inFlight = true;
    serve(ctx, request);
  }

  /** Called on the event loop once a reply is written: serves the next pipelined request. */
  private void replied(ChannelHandlerContext ctx) {
    inFlight = false;
    FullHttpRequest next = pipelined.pollFirst();
    if (next == null) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
      return;
    }
    inFlight = true;
    try {
      serve(ctx, next);
    } finally {
      next.release();
    }
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
    Instant start = sidecar.clock().instant();
    Sidecar.RoutingState state = sidecar.routingState();
    Optional<Http1Validation.Rejection> rejection =
        Http1Validation.check(request, () -> LastReadRecorder.lastRead(ctx.channel()));
    if (rejection.isPresent()) {
      reject(
          ctx,
          request,
          start,
          rejection.get(),
          Optional.of(ResponseFlag.DOWNSTREAM_PROTOCOL_ERROR),
          connectionManager(ctx, state));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String authority = Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST)).orElse("");
    String requestId = request.headers().get("x-request-id");
    if (requestId == null) {
      requestId = sidecar.requestIds().nextRequestId();
    }
    // A missing or warming listener still runs the router, which answers no route (NR).
    Optional<HttpConnectionManagerConfig> hcm = Optional.empty();
    ListenerConfig listener = state.config().listeners().get(listenerName);
    if (listener != null) {
      Optional<FilterChainConfig> chain = chainOf(listener, ctx);
      if (chain.isEmpty()) {
        // Envoy closes a connection no filter chain matches.
        sidecar.stats().increment("listener." + listenerName + ".no_filter_chain_match");
        ctx.close();
        return;
      }
      if (chain.get().tcpProxy().isPresent()) {
        // The listener became a TCP proxy under this connection: Envoy drains the old chain;
        // an HTTP request has no place on the new one.
        ctx.close();
        return;
      }
      hcm = Optional.of(chain.get().httpConnectionManager());
      ClientCertHeader.apply(
          request.headers(), hcm.get().clientCert(), ClientCertHeader.connectionOf(ctx.channel()));
    }
    HttpConnectionManagerConfig connectionManager = hcm.orElse(null);
    ConnectionManagerOptions options =
        hcm.map(HttpConnectionManagerConfig::options)
            .orElse(ConnectionManagerOptions.ENVOY_DEFAULTS);
    Optional<String> upgrade = upgradeRequested(request);
    if (upgrade.isPresent()
        && !(options.websocketUpgrades() && upgrade.get().equalsIgnoreCase("websocket"))) {
      // Envoy's connection manager refuses an upgrade no upgrade_configs entry allows.
      // No response flag: the request was well-formed, the connection manager declined it.
      reject(
          ctx,
          request,
          start,
          new Http1Validation.Rejection(403, "", "upgrade_failed"),
          Optional.empty(),
          hcm);
      return;
    }
    if (options.normalizePath() || options.mergeSlashes()) {
      Optional<String> normalized =
          PathNormalization.normalize(
              request.uri(), options.normalizePath(), options.mergeSlashes());
      if (normalized.isEmpty()) {
        reject(
            ctx,
            request,
            start,
            new Http1Validation.Rejection(400, "", "path_normalization_failed"),
            Optional.empty(),
            hcm);
        return;
      }
      request.setUri(normalized.get());
    }
    if (!options.proxy100Continue()) {
      // Without proxy_100_continue Envoy answers the 100 itself and does not forward Expect.
      request.headers().remove(HttpHeaderNames.EXPECT);
    }
    RequestContext context =
        new RequestContext(
            listenerName,
            toRequestHeaders(request, authority),
            requestId,
            start,
            state,
            hcm.flatMap(HttpConnectionManagerConfig::routes),
            request,
            ctx.executor(),
            ClientCertHeader.downstreamConnection(ClientCertHeader.connectionOf(ctx.channel())));
    HttpFilterChain chain = filtersOf(connectionManager);
    long requestBytes = request.content().readableBytes();
    // The chain may finish after this read returns (an upstream call, a delay): keep the message.
    request.retain();
    try {
      chain
          .run(context)
          .whenComplete(
              (outcome, error) -> {
                request.release();
                if (error != null) {
                  log.warn("{} failed a request on {}", sidecar.proxyId(), listenerName, error);
                  ctx.close();
                } else {
                  write(
                      ctx,
                      context,
                      Optional.ofNullable(connectionManager),
                      keepAlive,
                      outcome,
                      requestBytes);
                }
              });
    } catch (RuntimeException e) {
      request.release();
      throw e;
    }
  }

  /**
   * Answers a request the codec refuses as Envoy does, and closes the connection: whatever follows
   * a request of ambiguous length must never be read as a request.
   */
  /** The connection manager of the filter chain serving this connection, if any. */
  private Optional<HttpConnectionManagerConfig> connectionManager(
      ChannelHandlerContext ctx, Sidecar.RoutingState state) {
    ListenerConfig listener = state.config().listeners().get(listenerName);
    if (listener == null) {
      return Optional.empty();
    }
    return chainOf(listener, ctx).map(FilterChainConfig::httpConnectionManager);
  }

  /** The connection manager {@link #logFormats} were taken from (compared by identity). */
  private HttpConnectionManagerConfig logFormatsConfig;

  private List<Map<String, String>> logFormats;

  /** The JSON formats of {@code hcm}'s access logs (none without one), kept per configuration. */
  private List<Map<String, String>> accessLogFormats(HttpConnectionManagerConfig hcm) {
    if (logFormats == null || hcm != logFormatsConfig) {
      logFormats =
          hcm == null
              ? List.of()
              : hcm.accessLogs().stream().map(AccessLogConfig::jsonFormat).toList();
      logFormatsConfig = hcm;
    }
    return logFormats;
  }

  /** The connection manager {@link #filters} were built for (compared by identity). */
  private HttpConnectionManagerConfig filtersConfig;

  private HttpFilterChain filters;

  /**
   * The HTTP filters of {@code hcm} (null: the router alone), built again only when the connection
   * manager's configuration changed. Every filter holds only its configuration and the sidecar's
   * parts (no request's state), so one chain serves every request of the connection.
   */
  private HttpFilterChain filtersOf(HttpConnectionManagerConfig hcm) {
    if (filters == null || hcm != filtersConfig) {
      Optional<HttpConnectionManagerConfig> config = Optional.ofNullable(hcm);
      filters =
          sidecar.filterChain(
              config.map(HttpConnectionManagerConfig::httpFilters).orElse(ROUTER_ONLY),
              statPrefix(config));
      filtersConfig = hcm;
    }
    return filters;
  }

  /** The listener configuration {@link #chain} was selected from (compared by identity). */
  private ListenerConfig chainListener;

  private Optional<FilterChainConfig> chain = Optional.empty();

  /**
   * The filter chain serving this connection under {@code listener}: selected again only when the
   * listener's configuration changed, since what it is selected by (the connection's destination
   * port, transport and server name) is fixed for the connection. Selecting it per request was a
   * tenth of the sidecar's allocation under load.
   */
  private Optional<FilterChainConfig> chainOf(ListenerConfig listener, ChannelHandlerContext ctx) {
    if (listener != chainListener) {
      chain = TransportSelector.chainOf(listener, ctx.channel());
      chainListener = listener;
    }
    return chain;
  }

  /**
   * The {@code http.<prefix>.*} statistics prefix: the connection manager's {@code stat_prefix}, or
   * the listener's name while no connection manager serves it (a missing or warming listener).
   */
  private String statPrefix(Optional<HttpConnectionManagerConfig> hcm) {
    return hcm.map(HttpConnectionManagerConfig::statPrefix).orElse(listenerName);
  }

  /** Logs one request to the connection manager's access logs (none configured: nothing). */
  private void log(Optional<HttpConnectionManagerConfig> hcm, AccessLogEntry entry) {
    log(hcm, entry, null);
  }

  private void log(
      Optional<HttpConnectionManagerConfig> hcm,
      AccessLogEntry entry,
      dev.meshproof.runtime.telemetry.StreamDetails details) {
    sidecar.accessLog().record(entry, accessLogFormats(hcm.orElse(null)), details);
  }

  private void reject(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Instant start,
      Http1Validation.Rejection rejection,
      Optional<ResponseFlag> flag,
      Optional<HttpConnectionManagerConfig> hcm) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(rejection.status()),
            Unpooled.copiedBuffer(rejection.body(), StandardCharsets.UTF_8));
    if (!rejection.body().isEmpty()) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    }
    response
        .headers()
        .set(
            HttpHeaderNames.SERVER,
            hcm.map(h -> h.options().serverName())
                .orElse(ConnectionManagerOptions.ENVOY_DEFAULTS.serverName()));
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, false);
    sidecar.stats().recordResponse(statPrefix(hcm), rejection.status(), flag, "-");
    String requestId = Optional.ofNullable(request.headers().get("x-request-id")).orElse("-");
    log(
        hcm,
        new AccessLogEntry(
            start,
            listenerName,
            request.method().name(),
            Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST)).orElse("-"),
            request.uri(),
            requestId,
            "-",
            "-",
            "-",
            rejection.status(),
            flag,
            elapsedSince(start)));
    pipelined.forEach(FullHttpRequest::release);
    pipelined.clear();
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * The protocol a request asks to switch to: its {@code Upgrade} header when {@code Connection}
   * lists {@code upgrade} (Envoy's {@code Utility::isUpgrade}); an {@code Upgrade} header alone is
   * an ordinary hop-by-hop header and is dropped.
   */
  static Optional<String> upgradeRequested(FullHttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    if (upgrade == null
        || !request
            .headers()
            .containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
      return Optional.empty();
    }
    return Optional.of(upgrade.strip());
  }

  static RequestHeaders toRequestHeaders(FullHttpRequest request, String authority) {
    // Sized for the request's headers, one value each as most have: no rehash per request. Names
    // are lower-cased here, so that "X-A" and "x-a" sent on one request are one header's values
    // (RequestHeaders keys by the lower-case name; two spellings would otherwise overwrite).
    // A header's one value is an immutable list, which RequestHeaders then keeps without a copy.
    Map<String, List<String>> headers = new HashMap<>(Math.max(16, request.headers().size() * 2));
    for (Map.Entry<String, String> header : request.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      List<String> earlier = headers.putIfAbsent(name, List.of(header.getValue()));
      if (earlier != null) {
        List<String> values = new ArrayList<>(earlier);
        values.add(header.getValue());
        headers.put(name, values);
      }
    }
    return new RequestHeaders(request.method().name(), request.uri(), authority, headers);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** The downstream response of an outcome: a local reply's text, or the upstream's response. */
  private FullHttpResponse response(
      RequestContext request, RequestOutcome outcome, boolean downstreamIsHttp2) {
    if (outcome instanceof RequestOutcome.Proxied proxied
        && upgradeRequested(request.downstream()).isPresent()) {
      // An upgrade the upstream declined: Envoy relays its status and headers without the body
      // and closes the connection. (An accepted upgrade, 101, would need a tunnel: the sidecar
      // has none, and the fake services never accept one.)
      FullHttpResponse upstream = proxied.response();
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, upstream.status());
      response.headers().set(upstream.headers());
      Router.HOP_BY_HOP.forEach(response.headers()::remove);
      upstream.release();
      return response;
    }
    if (outcome instanceof RequestOutcome.Proxied proxied) {
      FullHttpResponse upstream = proxied.response();
      // The upstream response is complete and read by no one else: its headers become the
      // downstream response's, edited in place rather than copied. Trailers (a gRPC answer's
      // grpc-status) reach an HTTP/2 client; Envoy's HTTP/1.1 codec drops them unless
      // enable_trailers is set, which istiod does not set.
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              upstream.status(),
              upstream.content(),
              upstream.headers(),
              downstreamIsHttp2 ? upstream.trailingHeaders() : new DefaultHttpHeaders());
      for (String name : Router.HOP_BY_HOP) {
        response.headers().remove(name);
      }
      response
          .headers()
          .set("x-envoy-upstream-service-time", elapsedSince(request.start()).toMillis());
      return response;
    }
    if (outcome instanceof RequestOutcome.DirectReply direct) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(direct.status()),
              Unpooled.copiedBuffer(direct.body(), StandardCharsets.UTF_8));
      // Envoy's local reply: text/plain for a body, unless the route set a content type.
      if (!direct.body().isEmpty() && !direct.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      }
      response.headers().add(direct.headers());
      return response;
    }
    RequestOutcome.LocalReply reply = (RequestOutcome.LocalReply) outcome;
    if (GrpcLocalReply.isGrpcRequest(request.downstream().headers())) {
      // Envoy's sendLocalReply for a gRPC request: a trailers-only answer, HTTP 200, the gRPC
      // status given (a fault's grpc_status) or mapped from the HTTP status, and the body as
      // grpc-message (checked on Envoy 1.40).
      FullHttpResponse grpc =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      grpc.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
          .set(
              "grpc-status",
              reply.grpcStatus().orElse(GrpcLocalReply.grpcStatusOf(reply.status())));
      if (!reply.body().isEmpty()) {
        grpc.headers().set("grpc-message", GrpcLocalReply.percentEncoded(reply.body()));
      }
      if (reply.responseFlag() == ResponseFlag.UPSTREAM_OVERFLOW) {
        grpc.headers().set("x-envoy-overloaded", "true");
      }
      reply.responseHeaderChanges().forEach(c -> c.applyTo(Router.editor(grpc.headers())));
      return grpc;
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
    // Envoy's local reply names a content type only when it has a body.
    if (!reply.body().isEmpty()) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    }
    if (reply.responseFlag() == ResponseFlag.UPSTREAM_OVERFLOW) {
      // Envoy's router marks a request dropped by a circuit breaker (router.cc onUpstreamAbort).
      response.headers().set("x-envoy-overloaded", "true");
    }
    reply.responseHeaderChanges().forEach(c -> c.applyTo(Router.editor(response.headers())));
    return response;
  }

  private Duration elapsedSince(Instant start) {
    return Duration.between(start, sidecar.clock().instant());
  }

  /**
   * Counts the request in Istio's standard metrics, as the {@code istio.stats} filter does when the
   * stream ends: protocol {@code grpc} for a gRPC request (then the {@code grpc-status} answered,
   * in headers or trailers), bytes of the request and response bodies.
   */
  private void recordIstioMetrics(
      ChannelHandlerContext ctx,
      RequestContext request,
      AccessLogEntry entry,
      HttpHeaders responseHeaders,
      HttpHeaders trailers,
      long responseBytes,
      long requestBytes,
      Optional<dev.meshproof.runtime.policy.telemetry.IstioWorkload> downstreamPeer,
      UpstreamPrincipals upstream) {
    boolean grpc = GrpcLocalReply.isGrpcRequest(request.downstream().headers());
    String grpcStatus = "";
    if (grpc) {
      String status = responseHeaders.get("grpc-status");
      if (status == null) {
        status = trailers.get("grpc-status");
      }
      grpcStatus = status == null ? "" : status;
    }
    var connection = ClientCertHeader.connectionOf(ctx.channel());
    sidecar
        .istioMetrics()
        .recordRequest(
            sidecar.peers(
                listenerName,
                entry.upstreamCluster(),
                entry.upstreamHost(),
                entry.authority(),
                request.connection().peerPrincipal(),
                ClientCertHeader.localPrincipal(connection),
                downstreamPeer,
                upstream),
            grpc ? "grpc" : "http",
            entry.status(),
            grpcStatus,
            entry.flagCode(),
            requestBytes,
            responseBytes,
            entry.duration());
  }

  /** Writes the outcome, and counts and logs it: the one place each of those happens. */
  private void write(
      ChannelHandlerContext ctx,
      RequestContext request,
      Optional<HttpConnectionManagerConfig> hcm,
      boolean keepAlive,
      RequestOutcome outcome,
      long requestBytes) {
    if (outcome instanceof RequestOutcome.Proxied proxied
        && proxied.response() instanceof StreamedResponse streamed) {
      Optional<FullHttpResponse> whole = streamed.takeIfComplete();
      if (whole.isPresent()) {
        outcome = proxied.withResponse(whole.get());
      } else if (upgradeRequested(request.downstream()).isEmpty()) {
        writeStreamed(ctx, request, hcm, keepAlive, proxied, streamed, requestBytes);
        return;
      }
    }
    FullHttpResponse response =
        response(
            request,
            outcome,
            ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel);
    // server_header_transformation OVERWRITE: the connection manager's server_name, always.
    response
        .headers()
        .set(
            HttpHeaderNames.SERVER,
            hcm.map(h -> h.options().serverName())
                .orElse(ConnectionManagerOptions.ENVOY_DEFAULTS.serverName()));
    if (upgradeRequested(request.downstream()).isPresent()) {
      keepAlive = false;
    }
    sidecar
        .stats()
        .recordResponse(statPrefix(hcm), outcome.status(), outcome.flag(), outcome.cluster());
    if (outcome.delayInjected()) {
      sidecar.stats().increment("http." + statPrefix(hcm) + ".fault.delays_injected");
    }
    HttpUtil.setContentLength(response, response.content().readableBytes());
    HttpUtil.setKeepAlive(response, keepAlive);
    responseCompleted(
        ctx,
        request,
        hcm,
        outcome,
        response.headers(),
        response.trailingHeaders(),
        response.content().readableBytes(),
        requestBytes,
        response.headers().get("x-envoy-upstream-service-time"),
        Optional.empty());
    var future = ctx.writeAndFlush(response);
    if (keepAlive) {
      future.addListener(f -> replied(ctx));
    } else {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The response being forwarded as it arrives, paused while the downstream cannot take more. */
  private volatile StreamedResponse streaming;

  /**
   * Forwards a response whose body is still arriving, as Envoy's connection manager does: the head
   * now, each body chunk or DATA frame as it arrives, the trailers at the end (to an HTTP/2 client;
   * Envoy's HTTP/1.1 codec drops them), and the request is counted and logged when the body ended.
   * An HTTP/1.1 client gets the body chunked unless the upstream gave its length. When the upstream
   * resets mid-body or the route timeout fires, the head is already out: the downstream stream is
   * reset (an HTTP/2 RST_STREAM, the HTTP/1.1 connection closed), as Envoy's {@code
   * Filter::onUpstreamAbort} does once the response started. While the downstream connection's
   * buffer is over its high watermark (Envoy's per-connection buffer limit, 1 MiB by default, which
   * istiod leaves on sidecar listeners) the upstream is not read.
   */
  private void writeStreamed(
      ChannelHandlerContext ctx,
      RequestContext request,
      Optional<HttpConnectionManagerConfig> hcm,
      boolean keepAlive,
      RequestOutcome.Proxied outcome,
      StreamedResponse upstream,
      long requestBytes) {
    boolean http2 = ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel;
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstream.status());
    head.headers().set(upstream.headers());
    Router.HOP_BY_HOP.forEach(head.headers()::remove);
    head.headers()
        .set("x-envoy-upstream-service-time", elapsedSince(request.start()).toMillis())
        .set(
            HttpHeaderNames.SERVER,
            hcm.map(h -> h.options().serverName())
                .orElse(ConnectionManagerOptions.ENVOY_DEFAULTS.serverName()));
    boolean close = !keepAlive;
    if (!http2
        && !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
        && mayHaveBody(request, upstream.status().code())) {
      if (request.downstream().protocolVersion().equals(HttpVersion.HTTP_1_1)) {
        HttpUtil.setTransferEncodingChunked(head, true);
      } else {
        // An HTTP/1.0 client reads a body of unknown length to the connection's end.
        close = true;
      }
    }
    HttpUtil.setKeepAlive(head, !close);
    boolean closeAfter = close;
    sidecar
        .stats()
        .recordResponse(statPrefix(hcm), outcome.status(), outcome.flag(), outcome.cluster());
    if (outcome.delayInjected()) {
      sidecar.stats().increment("http." + statPrefix(hcm) + ".fault.delays_injected");
    }
    String serviceTime = head.headers().get("x-envoy-upstream-service-time");
    ctx.writeAndFlush(head);
    streaming = upstream;
    java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();
    upstream.subscribe(
        new StreamedResponse.BodySink() {
          @Override
          public void content(io.netty.buffer.ByteBuf chunk) {
            bodyBytes.addAndGet(chunk.readableBytes());
            ctx.writeAndFlush(new DefaultHttpContent(chunk));
            if (!ctx.channel().isWritable()) {
              upstream.pause();
              // Writability may have come back before the pause took effect.
              if (ctx.channel().isWritable()) {
                upstream.resume();
              }
            }
          }

          @Override
          public void end(HttpHeaders trailers) {
            LastHttpContent last =
                http2 && !trailers.isEmpty()
                    ? new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers)
                    : LastHttpContent.EMPTY_LAST_CONTENT;
            var written = ctx.writeAndFlush(last);
            ctx.executor()
                .execute(
                    () -> {
                      streaming = null;
                      responseCompleted(
                          ctx,
                          request,
                          hcm,
                          outcome,
                          head.headers(),
                          trailers,
                          bodyBytes.get(),
                          requestBytes,
                          serviceTime,
                          Optional.empty());
                    });
            if (closeAfter) {
              written.addListener(ChannelFutureListener.CLOSE);
            } else {
              written.addListener(f -> replied(ctx));
            }
          }

          @Override
          public void reset(dev.meshproof.runtime.transport.UpstreamException cause) {
            ctx.executor()
                .execute(
                    () -> {
                      streaming = null;
                      responseCompleted(
                          ctx,
                          request,
                          hcm,
                          outcome,
                          head.headers(),
                          new DefaultHttpHeaders(),
                          bodyBytes.get(),
                          requestBytes,
                          serviceTime,
                          Optional.of(
                              cause.kind()
                                      == dev.meshproof.runtime.transport.UpstreamException.Kind
                                          .TIMEOUT
                                  ? ResponseFlag.UPSTREAM_REQUEST_TIMEOUT
                                  : ResponseFlag.UPSTREAM_CONNECTION_TERMINATION));
                      // HTTP/2: RST_STREAM on this stream only; HTTP/1.1: the connection closes,
                      // the only way to tell the client its body is incomplete.
                      ctx.close();
                    });
          }
        });
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    StreamedResponse forwarding = streaming;
    if (forwarding != null && ctx.channel().isWritable()) {
      forwarding.resume();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    StreamedResponse forwarding = streaming;
    if (forwarding != null) {
      // The client went away mid-body: Envoy resets the upstream stream.
      forwarding.cancel(
          new dev.meshproof.runtime.transport.UpstreamException(
              dev.meshproof.runtime.transport.UpstreamException.Kind.RESET,
              "downstream closed during the response body",
              null));
    }
    pipelined.forEach(FullHttpRequest::release);
    pipelined.clear();
    super.channelInactive(ctx);
  }

  /** Whether a response with {@code status} to this request carries a body (RFC 9110 6.4.1). */
  private static boolean mayHaveBody(RequestContext request, int status) {
    return !request.downstream().method().equals(io.netty.handler.codec.http.HttpMethod.HEAD)
        && status >= 200
        && status != 204
        && status != 304;
  }

  /**
   * Logs a response and counts it in Istio's metrics once it is complete: a whole response as it is
   * written, a streamed one once its body ended or was reset ({@code resetFlag}).
   */
  private void responseCompleted(
      ChannelHandlerContext ctx,
      RequestContext request,
      Optional<HttpConnectionManagerConfig> hcm,
      RequestOutcome outcome,
      HttpHeaders responseHeaders,
      HttpHeaders trailers,
      long responseBytes,
      long requestBytes,
      String serviceTime,
      Optional<ResponseFlag> resetFlag) {
    RequestHeaders headers = request.headers();
    AccessLogEntry entry =
        new AccessLogEntry(
            request.start(),
            listenerName,
            headers.method(),
            headers.authority(),
            headers.path(),
            request.requestId(),
            outcome.route(),
            outcome.cluster(),
            outcome.host(),
            outcome.status(),
            resetFlag.or(outcome::flag),
            elapsedSince(request.start()),
            outcome.retryFlag(),
            outcome.attempts(),
            outcome.delayInjected());
    boolean http2 = ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel;
    log(
        hcm,
        entry,
        new dev.meshproof.runtime.telemetry.StreamDetails(
            http2
                ? "HTTP/2"
                : "HTTP/"
                    + request.downstream().protocolVersion().majorVersion()
                    + "."
                    + request.downstream().protocolVersion().minorVersion(),
            requestBytes,
            responseBytes,
            serviceTime,
            request.downstream().headers().get("x-forwarded-for"),
            request.downstream().headers().get(HttpHeaderNames.USER_AGENT)));
    recordIstioMetrics(
        ctx,
        request,
        entry,
        responseHeaders,
        trailers,
        responseBytes,
        requestBytes,
        MetadataExchangeFilter.downstreamPeer(hcm, request),
        outcome instanceof RequestOutcome.Proxied proxied
            ? proxied.upstreamPrincipals()
            : UpstreamPrincipals.NONE);
  }
}
