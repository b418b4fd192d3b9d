package dev.meshproof.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An app that answers every request with {@code count} messages, {@code gap} apart, and records
 * when it sent each ({@link System#nanoTime()}): as a gRPC server-streaming answer over cleartext
 * HTTP/2 (each message one length-prefixed frame in its own DATA frame, then {@code grpc-status: 0}
 * as a trailer), or as a chunked HTTP/1.1 answer (each message {@code msg-<i>\n} in its own chunk).
 * A proxy that forwards the answer as it arrives lets the first message reach the client before the
 * last is sent; one that collects the whole answer first cannot.
 */
final class StreamingTestServer implements AutoCloseable {
  /** The protocol the app speaks. */
  enum Protocol {
    GRPC,
    HTTP1_CHUNKED
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final int count;
  private final Duration gap;
  private final List<Long> sent = new CopyOnWriteArrayList<>();

  StreamingTestServer(Protocol protocol, int count, Duration gap) {
    this.count = count;
    this.gap = gap;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel connection) {
                    if (protocol == Protocol.HTTP1_CHUNKED) {
                      connection
                          .pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new ChunkedAnswer());
                      return;
                    }
                    connection
                        .pipeline()
                        .addLast(Http2FrameCodecBuilder.forServer().build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    stream.pipeline().addLast(new GrpcAnswer());
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

  /** When each message was sent, in order, over all answers so far. */
  List<Long> sentNanos() {
    return List.copyOf(sent);
  }

  /** The payload of message {@code i}. */
  static String message(int i) {
    return "msg-" + i;
  }

  private final class GrpcAnswer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean ended =
            (msg instanceof Http2HeadersFrame headers && headers.isEndStream())
                || (msg instanceof Http2DataFrame data && data.isEndStream());
        if (ended) {
          ctx.writeAndFlush(
              new DefaultHttp2HeadersFrame(
                  new DefaultHttp2Headers().status("200").set("content-type", "application/grpc"),
                  false));
          send(ctx, 0);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void send(ChannelHandlerContext ctx, int i) {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (i == count) {
        ctx.writeAndFlush(
            new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
        return;
      }
      byte[] payload = message(i).getBytes(StandardCharsets.UTF_8);
      ByteBuf frame = Unpooled.buffer(5 + payload.length);
      frame.writeByte(0).writeInt(payload.length).writeBytes(payload);
      sent.add(System.nanoTime());
      ctx.writeAndFlush(new DefaultHttp2DataFrame(frame, false));
      ctx.executor().schedule(() -> send(ctx, i + 1), gap.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private final class ChunkedAnswer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof LastHttpContent) {
          HttpResponse response =
              new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          response.headers().set("content-type", "text/plain");
          HttpUtil.setTransferEncodingChunked(response, true);
          ctx.writeAndFlush(response);
          send(ctx, 0);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void send(ChannelHandlerContext ctx, int i) {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (i == count) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      sent.add(System.nanoTime());
      ctx.writeAndFlush(
          new DefaultHttpContent(Unpooled.copiedBuffer(message(i) + "\n", StandardCharsets.UTF_8)));
      ctx.executor().schedule(() -> send(ctx, i + 1), gap.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
