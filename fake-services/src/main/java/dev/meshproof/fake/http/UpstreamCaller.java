package dev.meshproof.fake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The outbound half of the call graph: sends HTTP/1.1 to the sidecar's outbound port with {@code
 * Host} set to the destination (standing in for iptables capture) and propagates the tracing
 * headers Envoy needs to stitch the trace ({@code x-request-id}, W3C, B3).
 */
final class UpstreamCaller {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 16 * 1024 * 1024;

  private final InetSocketAddress proxy;
  private final List<CallTarget> targets;
  private final Duration timeout;

  UpstreamCaller(InetSocketAddress proxy, List<CallTarget> targets, Duration timeout) {
    this.proxy = proxy;
    this.targets = List.copyOf(targets);
    this.timeout = timeout;
  }

  boolean hasCalls() {
    return !targets.isEmpty();
  }

  /** Whether a header is one of those a mesh-aware application must forward. */
  static boolean isPropagated(String lowerName) {
    return lowerName.equals("x-request-id")
        || lowerName.equals("traceparent")
        || lowerName.equals("tracestate")
        || lowerName.equals("baggage")
        || lowerName.equals("b3")
        || lowerName.startsWith("x-b3-")
        || lowerName.equals("x-ot-span-context");
  }

  /** Calls every target in parallel; each result says status and body, or the failure. */
  CompletableFuture<List<ObjectNode>> callAll(EventLoop loop, Map<String, List<String>> headers) {
    List<CompletableFuture<ObjectNode>> futures = new ArrayList<>();
    for (CallTarget t : targets) {
      futures.add(call(loop, t, headers));
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<ObjectNode> call(
      EventLoop loop, CallTarget target, Map<String, List<String>> headers) {
    CompletableFuture<ObjectNode> result = new CompletableFuture<>();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 60_000))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY))
                        .addLast(new ResponseHandler(target, result));
                  }
                });
    ChannelFuture connect = bootstrap.connect(proxy);
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            result.complete(failure(target, "connect to " + proxy + ": " + f.cause()));
            return;
          }
          FullHttpRequest req =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1, HttpMethod.GET, target.path(), Unpooled.EMPTY_BUFFER);
          req.headers().set(HttpHeaderNames.HOST, target.authority());
          req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          req.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
          headers.forEach(
              (name, values) -> {
                if (isPropagated(name.toLowerCase(Locale.ROOT))) {
                  req.headers().add(name, values);
                }
              });
          connect.channel().writeAndFlush(req);
        });
    loop.schedule(
        () -> {
          if (result.complete(failure(target, "no response within " + timeout))) {
            connect.channel().close();
          }
        },
        timeout.toNanos(),
        TimeUnit.NANOSECONDS);
    return result;
  }

  private static ObjectNode failure(CallTarget target, String error) {
    ObjectNode n = JSON.createObjectNode();
    n.put("target", target.toString());
    n.put("status", 0);
    n.put("error", error);
    return n;
  }

  private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final CallTarget target;
    private final CompletableFuture<ObjectNode> result;

    ResponseHandler(CallTarget target, CompletableFuture<ObjectNode> result) {
      this.target = target;
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      ObjectNode n = JSON.createObjectNode();
      n.put("target", target.toString());
      n.put("status", msg.status().code());
      String text = msg.content().toString(StandardCharsets.UTF_8);
      JsonNode body;
      try {
        body = JSON.readTree(text);
      } catch (IOException e) {
        // Not JSON (an Envoy local reply such as "no healthy upstream"): keep it as text.
        body = JSON.getNodeFactory().textNode(text);
      }
      n.set("body", body == null ? JSON.getNodeFactory().textNode("") : body);
      result.complete(n);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.complete(failure(target, "connection closed before a response"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.complete(failure(target, cause.toString()));
      ctx.close();
    }
  }
}
