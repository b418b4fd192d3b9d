package dev.meshproof.fake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshproof.fake.WorkloadEventLoop;
import dev.meshproof.fake.WorkloadIdentity;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.BehaviorJson;
import dev.meshproof.fake.journal.RequestJournal;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP control API of one echo instance, on its own loopback port so that chaos tooling can
 * change an instance's behaviour without going through the mesh:
 *
 * <ul>
 *   <li>{@code GET /control/behavior}: the behaviour as JSON ({@link BehaviorJson})
 *   <li>{@code PUT /control/behavior}: replace it (absent fields take the defaults)
 *   <li>{@code PATCH /control/behavior}: change only the fields given
 *   <li>{@code POST /control/behavior/reset}: back to the built behaviour
 *   <li>{@code GET /control/journal}, {@code DELETE /control/journal}: the journal as JSON, clear
 *       it
 *   <li>{@code GET /control/identity}
 * </ul>
 */
final class ControlServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WorkloadEventLoop eventLoop;
  private final String host;
  private final WorkloadIdentity identity;
  private final BehaviorControl behavior;
  private final RequestJournal journal;
  private final ChannelGroup channels;
  private final int port;
  private Channel serverChannel;

  ControlServer(
      WorkloadEventLoop eventLoop,
      String host,
      WorkloadIdentity identity,
      BehaviorControl behavior,
      RequestJournal journal,
      ChannelGroup channels) {
    this(eventLoop, host, identity, behavior, journal, channels, 0);
  }

  /** With a fixed {@code port} (0 = ephemeral), as a pod's manifest names it. */
  ControlServer(
      WorkloadEventLoop eventLoop,
      String host,
      WorkloadIdentity identity,
      BehaviorControl behavior,
      RequestJournal journal,
      ChannelGroup channels,
      int port) {
    this.port = port;
    this.eventLoop = eventLoop;
    this.host = host;
    this.identity = identity;
    this.behavior = behavior;
    this.journal = journal;
    this.channels = channels;
  }

  ControlServer start() {
    ChannelInitializer<Channel> control =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            ch.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(1024 * 1024))
                .addLast(new Handler());
          }
        };
    serverChannel = eventLoop.bind(control, host, port, identity.instance() + " control API");
    return this;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  void close() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String path = req.uri();
      HttpMethod m = req.method();
      FullHttpResponse res;
      try {
        if (path.equals("/control/behavior") && m.equals(HttpMethod.GET)) {
          res = json(HttpResponseStatus.OK, BehaviorJson.toJson(behavior.get()));
        } else if (path.equals("/control/behavior")
            && (m.equals(HttpMethod.PUT) || m.equals(HttpMethod.PATCH))) {
          JsonNode body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
          Behavior base = m.equals(HttpMethod.PUT) ? Behavior.defaults() : behavior.get();
          Behavior next = BehaviorJson.fromJson(body, base);
          behavior.set(next);
          res = json(HttpResponseStatus.OK, BehaviorJson.toJson(next));
        } else if (path.equals("/control/behavior/reset") && m.equals(HttpMethod.POST)) {
          behavior.reset();
          res = json(HttpResponseStatus.OK, BehaviorJson.toJson(behavior.get()));
        } else if (path.equals("/control/journal") && m.equals(HttpMethod.GET)) {
          res = json(HttpResponseStatus.OK, journal.toJsonNode());
        } else if (path.equals("/control/journal") && m.equals(HttpMethod.DELETE)) {
          journal.clear();
          res = json(HttpResponseStatus.NO_CONTENT, null);
        } else if (path.equals("/control/identity") && m.equals(HttpMethod.GET)) {
          res = json(HttpResponseStatus.OK, JSON.valueToTree(identity));
        } else {
          res = error(HttpResponseStatus.NOT_FOUND, m + " " + path + ": no such control endpoint");
        }
      } catch (IOException | IllegalArgumentException e) {
        res = error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
      }
      ctx.writeAndFlush(res);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static FullHttpResponse error(HttpResponseStatus status, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.put("error", message);
    return json(status, n);
  }

  private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
    byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return res;
  }
}
