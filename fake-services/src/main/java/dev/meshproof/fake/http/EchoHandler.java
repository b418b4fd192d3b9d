package dev.meshproof.fake.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshproof.fake.behavior.KnobParser;
import dev.meshproof.fake.behavior.RequestKnobs;
import dev.meshproof.fake.behavior.RequestRandom;
import dev.meshproof.fake.behavior.RequestView;
import dev.meshproof.fake.behavior.ResponsePlan;
import dev.meshproof.fake.behavior.ResponsePlanner;
import dev.meshproof.fake.journal.CallerIdentity;
import dev.meshproof.fake.journal.JournalEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
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
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Executes one request's {@link ResponsePlan} on Netty: the decision is made by {@link
 * ResponsePlanner}; this class only parses, records, waits on the event loop and writes.
 */
final class EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SLOW_BODY_PIECES = 10;

  private final EchoRuntime runtime;
  private final String proto;

  /**
   * The downstream connection this handler serves ({@code x-echo-connection}): the instance and
   * Netty's channel id of the TCP connection (an HTTP/2 stream's parent), so an expectation can
   * count requests per connection, e.g. a DestinationRule's {@code maxRequestsPerConnection}.
   */
  private String connection = "";

  /** The client certificate's subject when the echo terminates TLS ("" without one), else null. */
  private String tlsClient;

  EchoHandler(EchoRuntime runtime, String proto) {
    this.runtime = runtime;
    this.proto = proto;
  }

  /** The proxy's {@code x-envoy-attempt-count}, 0 when absent or not a number. */
  private static int attemptCount(String header) {
    if (header == null || !header.strip().matches("[0-9]{1,9}")) {
      return 0;
    }
    return Integer.parseInt(header.strip());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    io.netty.channel.Channel tcp =
        ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    connection = runtime.identity().instance() + "/" + tcp.id().asShortText();
    io.netty.handler.ssl.SslHandler ssl = tcp.pipeline().get(io.netty.handler.ssl.SslHandler.class);
    if (ssl != null) {
      try {
        java.security.cert.Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
        tlsClient =
            peer.length > 0 && peer[0] instanceof java.security.cert.X509Certificate x509
                ? x509.getSubjectX500Principal().getName()
                : "";
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        tlsClient = "";
      }
    }
    Map<String, List<String>> headers = headers(req.headers());
    RequestView view = RequestView.of(req.method().name(), req.uri(), headers);
    String requestId = view.header("x-request-id");
    String authority = view.header("host");
    boolean mirrored = JournalEntry.isMirrored(authority, view.header("x-envoy-internal"));
    // A mirror copy shares the primary's request id but is not one of its attempts.
    int attempt = mirrored ? 1 : runtime.journal().countAttempt(requestId);
    KnobParser.Result knobs = KnobParser.parse(view);
    ResponsePlan plan =
        knobs instanceof KnobParser.Rejected r
            ? ResponsePlanner.reject(r.error())
            : plan(view, ((KnobParser.Parsed) knobs).knobs(), attempt);
    String xfcc = view.header("x-forwarded-client-cert");
    long bodySize = req.content().readableBytes();
    runtime
        .journal()
        .record(
            new JournalEntry(
                runtime.clock().instant(),
                runtime.identity().instance(),
                proto,
                view.method(),
                view.uri(),
                authority,
                requestId,
                attempt,
                mirrored,
                CallerIdentity.fromXfcc(xfcc).orElse(null),
                plan.sendsHeaders() ? plan.status() : 0,
                bodySize,
                attemptCount(view.header("x-envoy-attempt-count")),
                plan.delay()));

    ObjectNode echo = echoBody(view, authority, requestId, attempt, xfcc, bodySize);
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean calls =
        runtime.caller().hasCalls()
            && plan.sendsHeaders()
            && plan.action() != ResponsePlan.Action.REJECT
            && !view.path().equals(ResponsePlanner.READY_PATH);
    CompletableFuture<List<ObjectNode>> downstream =
        calls
            ? runtime.caller().callAll(ctx.channel().eventLoop(), headers)
            : CompletableFuture.completedFuture(List.of());
    Runnable act =
        () ->
            downstream.whenComplete(
                (results, error) ->
                    ctx.executor()
                        .execute(
                            () -> {
                              if (calls) {
                                ArrayNode arr = echo.putArray("calls");
                                if (results != null) {
                                  results.forEach(arr::add);
                                }
                              }
                              execute(ctx, plan, echo, keepAlive);
                            }));
    if (plan.delay().isZero()) {
      act.run();
    } else {
      ctx.executor().schedule(act, plan.delay().toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private ResponsePlan plan(RequestView view, RequestKnobs knobs, int attempt) {
    return RequestRandom.of(runtime.random(), view.header("x-request-id"), attempt)
        .draw(r -> ResponsePlanner.plan(runtime.behavior().get(), view, knobs, attempt, r));
  }

  private ObjectNode echoBody(
      RequestView view,
      String authority,
      String requestId,
      int attempt,
      String xfcc,
      long bodySize) {
    ObjectNode n = JSON.createObjectNode();
    n.put("service", runtime.identity().service());
    n.put("version", runtime.identity().version());
    n.put("instance", runtime.identity().instance());
    n.put("namespace", runtime.identity().namespace());
    n.put("pod", runtime.identity().pod());
    n.put("method", view.method());
    n.put("path", view.uri());
    n.put("host", authority);
    n.put("proto", proto);
    ObjectNode h = n.putObject("headers");
    view.headers()
        .forEach(
            (name, values) -> {
              ArrayNode arr = h.putArray(name);
              values.forEach(arr::add);
            });
    n.put("bodySize", bodySize);
    if (requestId != null) {
      n.put("requestId", requestId);
    }
    n.put("attempt", attempt);
    if (xfcc != null) {
      n.put("xForwardedClientCert", xfcc);
    }
    return n;
  }

  private void execute(
      ChannelHandlerContext ctx, ResponsePlan plan, ObjectNode echo, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      return;
    }
    switch (plan.action()) {
      case HANG -> {
        // Deliberately nothing: the caller's timeout (or the mesh's) has to fire.
      }
      case RESET -> reset(ctx);
      case REJECT -> {
        ObjectNode err = JSON.createObjectNode();
        plan.rejection()
            .ifPresent(
                e -> {
                  err.put("error", e.message());
                  err.put("knob", e.knob());
                  err.put("value", e.value());
                  err.put("expected", e.expected());
                });
        writeFull(ctx, plan, bytes(err), "application/json", keepAlive, List.of());
      }
      case RESPOND -> {
        writeFull(ctx, plan, body(plan, echo), contentType(plan), keepAlive, echoed(echo));
      }
      case DROP_AFTER_HEADERS -> {
        byte[] body = body(plan, echo);
        HttpResponse head = head(plan, body.length, contentType(plan));
        ctx.writeAndFlush(head).addListener(f -> reset(ctx));
      }
      case SLOW_BODY -> slowBody(ctx, plan, body(plan, echo), keepAlive);
    }
  }

  private void slowBody(ChannelHandlerContext ctx, ResponsePlan plan, byte[] body, boolean keep) {
    ctx.writeAndFlush(head(plan, body.length, contentType(plan)));
    int piece = Math.max(1, (body.length + SLOW_BODY_PIECES - 1) / SLOW_BODY_PIECES);
    writePiece(ctx, plan, body, 0, piece, keep);
  }

  private void writePiece(
      ChannelHandlerContext ctx,
      ResponsePlan plan,
      byte[] body,
      int offset,
      int piece,
      boolean keepAlive) {
    ctx.executor()
        .schedule(
            () -> {
              if (!ctx.channel().isActive()) {
                return;
              }
              int end = Math.min(body.length, offset + piece);
              ByteBuf chunk = Unpooled.wrappedBuffer(Arrays.copyOfRange(body, offset, end));
              if (end == body.length) {
                var done = ctx.writeAndFlush(new DefaultLastHttpContent(chunk));
                if (!keepAlive) {
                  done.addListener(ChannelFutureListener.CLOSE);
                }
              } else {
                ctx.writeAndFlush(new DefaultHttpContent(chunk));
                writePiece(ctx, plan, body, end, piece, keepAlive);
              }
            },
            plan.slowBodyChunkDelay().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * What the request looked like on arrival, as response headers a client can check after the mesh
   * rewrote or redirected it: {@code x-echo-path} (path with query), {@code x-echo-authority}, and
   * each {@code x-} request header and each trace context header ({@code traceparent}, {@code
   * tracestate}, {@code baggage}, {@code b3}) as {@code x-echo-request-<name>} (repeated values
   * joined with ",").
   */
  static List<Map.Entry<String, String>> echoed(ObjectNode echo) {
    List<Map.Entry<String, String>> out = new java.util.ArrayList<>();
    out.add(Map.entry("x-echo-path", echo.path("path").asText()));
    out.add(Map.entry("x-echo-authority", echo.path("host").asText()));
    echo.path("headers")
        .fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
              // Trace context headers too (traceparent, b3, ...): what a trace propagation
              // scenario checks the mesh forwarded.
              if ((name.startsWith("x-") || UpstreamCaller.isPropagated(name))
                  && !name.startsWith("x-echo-")) {
                List<String> values = new java.util.ArrayList<>();
                e.getValue().forEach(v -> values.add(v.asText()));
                out.add(Map.entry("x-echo-request-" + name, String.join(",", values)));
              }
            });
    return out;
  }

  private void writeFull(
      ChannelHandlerContext ctx,
      ResponsePlan plan,
      byte[] body,
      String contentType,
      boolean keepAlive,
      List<Map.Entry<String, String>> echoed) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(plan.status()),
            Unpooled.wrappedBuffer(body));
    decorate(res, plan, body.length, contentType);
    echoed.forEach(e -> res.headers().add(e.getKey(), e.getValue()));
    if (!keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(res);
    }
  }

  private HttpResponse head(ResponsePlan plan, int length, String contentType) {
    HttpResponse res =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(plan.status()));
    decorate(res, plan, length, contentType);
    return res;
  }

  private void decorate(HttpResponse res, ResponsePlan plan, int length, String contentType) {
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    h.set("x-echo-service", runtime.identity().service());
    h.set("x-echo-version", runtime.identity().version());
    h.set("x-echo-instance", runtime.identity().instance());
    h.set("x-echo-connection", connection);
    runtime.servicePort().ifPresent(port -> h.set("x-echo-port", Integer.toString(port)));
    if (tlsClient != null) {
      h.set("x-echo-tls-client", tlsClient);
    }
    for (RequestKnobs.Header header : plan.setHeaders()) {
      h.add(header.name(), header.value());
    }
  }

  private static void reset(ChannelHandlerContext ctx) {
    if (ctx.channel() instanceof Http2StreamChannel) {
      // Closing an HTTP/2 stream channel before end-of-stream sends RST_STREAM (CANCEL).
      ctx.channel().close();
      return;
    }
    // SO_LINGER 0 turns close() into a TCP RST, which Envoy reports as an upstream reset.
    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    ctx.channel().close();
  }

  private static String contentType(ResponsePlan plan) {
    return plan.responseSize().isPresent() ? "application/octet-stream" : "application/json";
  }

  private static byte[] body(ResponsePlan plan, ObjectNode echo) {
    if (plan.responseSize().isPresent()) {
      byte[] filler = new byte[plan.responseSize().getAsInt()];
      Arrays.fill(filler, (byte) 'x');
      return filler;
    }
    return bytes(echo);
  }

  private static byte[] bytes(ObjectNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> headers(HttpHeaders headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      // Netty's HTTP/2 to HTTP/1 conversion adds x-http2-* bookkeeping headers nobody sent.
      if (name.startsWith("x-http2-")) {
        continue;
      }
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(e.getValue());
    }
    return out;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that goes away mid-request is normal under fault injection; drop the connection.
    ctx.close();
  }
}
