package dev.meshproof.runtime;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One cleartext HTTP/2 connection with prior knowledge, for tests that need to know how many
 * streams one downstream connection carries (the JDK client may open more connections): each
 * request is a stream; its answer is the status, the headers, the body and the trailers, or the
 * reason the stream ended without one.
 */
final class H2cTestClient implements AutoCloseable {
  /** One stream's answer. */
  record Answer(
      int status, Http2Headers headers, String body, Http2Headers trailers, String failure) {
    boolean ok() {
      return failure == null;
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;
  private final AtomicBoolean goAwayReceived = new AtomicBoolean();
  private final AtomicInteger dataFrames = new AtomicInteger();

  H2cTestClient(InetSocketAddress address) {
    connection =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2GoAwayFrame) {
                                  goAwayReceived.set(true);
                                }
                                ReferenceCountUtil.release(msg);
                              }
                            });
                  }
                })
            .connect(address)
            .syncUninterruptibly()
            .channel();
  }

  /** Whether the connection is still open. */
  boolean isOpen() {
    return connection.isActive();
  }

  /** Whether the server sent GOAWAY on this connection. */
  boolean goAwayReceived() {
    return goAwayReceived.get();
  }

  /** DATA frames received on every stream so far. */
  int dataFrames() {
    return dataFrames.get();
  }

  /** Sends one request as a new stream: {@code extra} headers go after the pseudo-headers. */
  CompletableFuture<Answer> send(
      String method, String authority, String path, Map<String, String> extra, byte[] body) {
    return send(method, authority, path, extra, body, data -> {});
  }

  /**
   * Sends one request as {@link #send(String, String, String, Map, byte[])} does, handing each DATA
   * frame's payload to {@code onData} as it arrives (on the connection's event loop).
   */
  CompletableFuture<Answer> send(
      String method,
      String authority,
      String path,
      Map<String, String> extra,
      byte[] body,
      java.util.function.Consumer<io.netty.buffer.ByteBuf> onData) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    Http2Headers headers =
        new DefaultHttp2Headers().method(method).scheme("http").authority(authority).path(path);
    extra.forEach(headers::add);
    new Http2StreamChannelBootstrap(connection)
        .handler(new StreamHandler(answer, onData))
        .open()
        .addListener(
            opened -> {
              if (!opened.isSuccess()) {
                answer.complete(new Answer(0, null, "", null, "open: " + opened.cause()));
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
              stream.write(new DefaultHttp2HeadersFrame(headers, body.length == 0));
              if (body.length > 0) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
              }
              stream.flush();
            });
    return answer;
  }

  /** Opens a stream with a GET and resets it (RST_STREAM CANCEL) at once, as a client giving up. */
  CompletableFuture<Void> getAndCancel(String authority, String path, Map<String, String> extra) {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    Http2Headers headers =
        new DefaultHttp2Headers().method("GET").scheme("http").authority(authority).path(path);
    extra.forEach(headers::add);
    new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInboundHandlerAdapter())
        .open()
        .addListener(
            opened -> {
              if (!opened.isSuccess()) {
                cancelled.completeExceptionally(opened.cause());
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
              stream.write(new DefaultHttp2HeadersFrame(headers, true));
              stream
                  .writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL))
                  .addListener(
                      written -> {
                        if (written.isSuccess()) {
                          cancelled.complete(null);
                        } else {
                          cancelled.completeExceptionally(written.cause());
                        }
                      });
            });
    return cancelled;
  }

  CompletableFuture<Answer> get(String authority, String path) {
    return send("GET", authority, path, Map.of(), new byte[0]);
  }

  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Answer> answer;
    private final java.util.function.Consumer<io.netty.buffer.ByteBuf> onData;
    private int status;
    private Http2Headers headers;
    private final StringBuilder body = new StringBuilder();

    StreamHandler(
        CompletableFuture<Answer> answer,
        java.util.function.Consumer<io.netty.buffer.ByteBuf> onData) {
      this.answer = answer;
      this.onData = onData;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame frame) {
          if (headers == null) {
            status = Integer.parseInt(frame.headers().status().toString());
            if (status >= 100 && status < 200) {
              return;
            }
            headers = frame.headers();
          }
          if (frame.isEndStream()) {
            answer.complete(
                new Answer(
                    status,
                    headers,
                    body.toString(),
                    frame.headers() == headers ? new DefaultHttp2Headers() : frame.headers(),
                    null));
          }
        } else if (msg instanceof Http2DataFrame data) {
          dataFrames.incrementAndGet();
          if (data.content().isReadable()) {
            onData.accept(data.content());
          }
          body.append(data.content().toString(StandardCharsets.UTF_8));
          if (data.isEndStream()) {
            answer.complete(
                new Answer(status, headers, body.toString(), new DefaultHttp2Headers(), null));
          }
        } else if (msg instanceof Http2ResetFrame reset) {
          answer.complete(new Answer(status, headers, body.toString(), null, "reset " + reset));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      answer.complete(new Answer(status, headers, body.toString(), null, "stream closed"));
    }
  }

  /** Sends {@code count} GETs, {@code concurrency} at a time, and returns every answer. */
  List<Answer> getMany(String authority, String path, int count, int concurrency) {
    List<Answer> answers = new ArrayList<>();
    for (int start = 0; start < count; start += concurrency) {
      List<CompletableFuture<Answer>> batch = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + concurrency); i++) {
        batch.add(get(authority, path + i));
      }
      batch.forEach(f -> answers.add(f.join()));
    }
    return answers;
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
    group
        .shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS)
        .syncUninterruptibly();
  }
}
