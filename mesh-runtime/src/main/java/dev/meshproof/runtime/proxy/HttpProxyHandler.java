package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.policy.route.Route;
import dev.meshproof.runtime.policy.route.WeightedCluster;
import dev.meshproof.runtime.policy.route.WeightedClusterPicker;
import dev.meshproof.runtime.proxy.ProxyConfig.ListenerConfig;
import dev.meshproof.runtime.proxy.UpstreamCluster.UpstreamHost;
import dev.meshproof.runtime.telemetry.AccessLogEntry;
import dev.meshproof.runtime.telemetry.ProxyStats;
import dev.meshproof.runtime.telemetry.ResponseFlag;
import dev.meshproof.runtime.transport.UpstreamException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;

/**
 * The HTTP connection manager and router of one sidecar listener. It only moves bytes: route match,
 * weighted cluster pick and host pick are the pure policy objects, fed the routing state read once
 * per request. One request at a time per downstream connection (no pipelining), as Envoy's HTTP/1.1
 * codec serves it.
 */
final class HttpProxyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final List<String> HOP_BY_HOP =
      List.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer");

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
  private final java.util.ArrayDeque<FullHttpRequest> pipelined = new java.util.ArrayDeque<>();

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

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    pipelined.forEach(FullHttpRequest::release);
    pipelined.clear();
    super.channelInactive(ctx);
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
    long startNanos = System.nanoTime();
    Instant start = sidecar.clock().instant();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    Sidecar.RoutingState state = sidecar.routingState();
    String authority = Optional.ofNullable(request.headers().get(HttpHeaderNames.HOST)).orElse("");
    String requestId = request.headers().get("x-request-id");
    if (requestId == null) {
      requestId = UUID.randomUUID().toString();
    }
    Exchange exchange =
        new Exchange(ctx, request, keepAlive, start, startNanos, authority, requestId);

    ListenerConfig listener = state.config().listeners().get(listenerName);
    if (listener == null || listener.routes().isEmpty()) {
      // Envoy has no such listener (or it is still warming): nothing routes this request.
      exchange.localReply(HttpResponseStatus.NOT_FOUND, ResponseFlag.NO_ROUTE_FOUND, "", "-", "-");
      return;
    }
    Optional<Route> route = listener.routes().get().route(toRequestHeaders(request, authority));
    if (route.isEmpty()) {
      exchange.localReply(HttpResponseStatus.NOT_FOUND, ResponseFlag.NO_ROUTE_FOUND, "", "-", "-");
      return;
    }
    WeightedCluster picked =
        WeightedClusterPicker.pick(route.get().clusters(), sidecar.routeRandom());
    UpstreamCluster cluster = state.clusters().get(picked.name());
    if (cluster == null) {
      exchange.localReply(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          ResponseFlag.NO_CLUSTER_FOUND,
          "",
          route.get().name(),
          picked.name());
      return;
    }
    if (cluster.hosts.isEmpty()) {
      exchange.localReply(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          ResponseFlag.NO_HEALTHY_UPSTREAM,
          "no healthy upstream",
          route.get().name(),
          picked.name());
      return;
    }
    UpstreamHost host = cluster.loadBalancer.pickHost(cluster.hosts);
    host.active.incrementAndGet();
    host.total.increment();
    FullHttpRequest upstream = upstreamRequest(request, requestId);
    String routeName = route.get().name();
    sidecar
        .connections()
        .send(host.address, upstream, Duration.ZERO)
        .whenComplete(
            (response, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          host.active.decrementAndGet();
                          if (error == null) {
                            exchange.proxiedReply(
                                response, routeName, picked.name(), host.toString());
                          } else {
                            exchange.upstreamFailure(
                                unwrap(error), routeName, picked.name(), host.toString());
                          }
                        }));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static RequestHeaders toRequestHeaders(FullHttpRequest request, String authority) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      headers.computeIfAbsent(header.getKey(), k -> new ArrayList<>()).add(header.getValue());
    }
    return new RequestHeaders(request.method().name(), request.uri(), authority, headers);
  }

  private static FullHttpRequest upstreamRequest(FullHttpRequest request, String requestId) {
    FullHttpRequest upstream =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            request.method(),
            request.uri(),
            request.content().retainedDuplicate());
    HttpHeaders headers = upstream.headers();
    headers.set(request.headers());
    HOP_BY_HOP.forEach(headers::remove);
    headers.set("x-request-id", requestId);
    if (!headers.contains("x-forwarded-proto")) {
      headers.set("x-forwarded-proto", "http");
    }
    HttpUtil.setContentLength(upstream, upstream.content().readableBytes());
    return upstream;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** One downstream request on its way through the listener; writes exactly one reply. */
  private final class Exchange {
    final ChannelHandlerContext ctx;
    final String method;
    final String path;
    final boolean keepAlive;
    final Instant start;
    final long startNanos;
    final String authority;
    final String requestId;

    Exchange(
        ChannelHandlerContext ctx,
        FullHttpRequest request,
        boolean keepAlive,
        Instant start,
        long startNanos,
        String authority,
        String requestId) {
      this.ctx = ctx;
      this.method = request.method().name();
      this.path = request.uri();
      this.keepAlive = keepAlive;
      this.start = start;
      this.startNanos = startNanos;
      this.authority = authority;
      this.requestId = requestId;
    }

    void localReply(
        HttpResponseStatus status, ResponseFlag flag, String body, String route, String cluster) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      write(response, Optional.of(flag), route, cluster, "-");
    }

    void proxiedReply(FullHttpResponse upstream, String route, String cluster, String host) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, upstream.status(), upstream.content());
      response.headers().set(upstream.headers());
      HOP_BY_HOP.forEach(response.headers()::remove);
      response
          .headers()
          .set(
              "x-envoy-upstream-service-time",
              Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
      write(response, Optional.empty(), route, cluster, host);
    }

    void upstreamFailure(Throwable error, String route, String cluster, String host) {
      ResponseFlag flag = ResponseFlag.UPSTREAM_CONNECTION_FAILURE;
      String reason = "connection failure";
      HttpResponseStatus status = HttpResponseStatus.SERVICE_UNAVAILABLE;
      if (error instanceof UpstreamException upstreamError) {
        switch (upstreamError.kind()) {
          case CONNECT_FAILURE -> {}
          case RESET -> {
            flag = ResponseFlag.UPSTREAM_CONNECTION_TERMINATION;
            reason = "connection termination";
          }
          case TIMEOUT -> {
            flag = ResponseFlag.UPSTREAM_REQUEST_TIMEOUT;
            status = HttpResponseStatus.GATEWAY_TIMEOUT;
          }
        }
      }
      String body =
          flag == ResponseFlag.UPSTREAM_REQUEST_TIMEOUT
              ? "upstream request timeout"
              : "upstream connect error or disconnect/reset before headers. reset reason: "
                  + reason;
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      write(response, Optional.of(flag), route, cluster, host);
    }

    /** Envoy's counters for this outcome: downstream, upstream and the flag's own counter. */
    private void count(int status, Optional<ResponseFlag> flag, String cluster) {
      ProxyStats stats = sidecar.stats();
      stats.downstreamResponse(listenerName, status);
      if (flag.isEmpty()) {
        stats.upstreamResponse(cluster, status);
        return;
      }
      switch (flag.get()) {
        case NO_ROUTE_FOUND -> stats.increment("http." + listenerName + ".no_route");
        case NO_CLUSTER_FOUND -> stats.increment("http." + listenerName + ".no_cluster");
        case NO_HEALTHY_UPSTREAM ->
            stats.increment("cluster." + cluster + ".upstream_cx_none_healthy");
        case UPSTREAM_CONNECTION_FAILURE ->
            stats.increment("cluster." + cluster + ".upstream_cx_connect_fail");
        case UPSTREAM_CONNECTION_TERMINATION ->
            stats.increment("cluster." + cluster + ".upstream_rq_rx_reset");
        case UPSTREAM_REQUEST_TIMEOUT ->
            stats.increment("cluster." + cluster + ".upstream_rq_timeout");
        default -> stats.increment("http." + listenerName + ".rq_" + flag.get().code());
      }
    }

    private void write(
        FullHttpResponse response,
        Optional<ResponseFlag> flag,
        String route,
        String cluster,
        String host) {
      response.headers().set(HttpHeaderNames.SERVER, "envoy");
      count(response.status().code(), flag, cluster);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      HttpUtil.setKeepAlive(response, keepAlive);
      sidecar
          .accessLog()
          .record(
              new AccessLogEntry(
                  start,
                  listenerName,
                  method,
                  authority,
                  path,
                  requestId,
                  route,
                  cluster,
                  host,
                  response.status().code(),
                  flag,
                  Duration.ofNanos(System.nanoTime() - startNanos)));
      var future = ctx.writeAndFlush(response);
      if (keepAlive) {
        future.addListener(f -> replied(ctx));
      } else {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
