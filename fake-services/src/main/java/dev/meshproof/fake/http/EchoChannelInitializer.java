package dev.meshproof.fake.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * One accepted connection: HTTP/1.1, or HTTP/2 cleartext by prior knowledge or by {@code Upgrade:
 * h2c} (Envoy speaks either to an upstream, depending on the DestinationRule's {@code
 * h2UpgradePolicy} and the port's protocol).
 */
final class EchoChannelInitializer extends ChannelInitializer<Channel> {
  static final int MAX_CONTENT = 16 * 1024 * 1024;

  private final EchoRuntime runtime;
  private final ChannelGroup channels;
  private final java.util.Optional<io.netty.handler.ssl.SslContext> tls;

  EchoChannelInitializer(
      EchoRuntime runtime,
      ChannelGroup channels,
      java.util.Optional<io.netty.handler.ssl.SslContext> tls) {
    this.runtime = runtime;
    this.channels = channels;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    // An app terminating TLS itself: the handshake first, then the same HTTP as in plaintext.
    tls.ifPresent(context -> ch.pipeline().addLast(context.newHandler(ch.alloc())));
    HttpServerCodec http1 = new HttpServerCodec();
    Http2FrameCodec frameCodec = Http2FrameCodecBuilder.forServer().build();
    Http2MultiplexHandler multiplex =
        new Http2MultiplexHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream
                    .pipeline()
                    .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast(new HttpObjectAggregator(MAX_CONTENT))
                    .addLast(new InFlightCounter(runtime.inFlight()))
                    .addLast(new EchoHandler(runtime, "HTTP/2.0"));
              }
            });
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            http1,
            protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(frameCodec, multiplex)
                    : null,
            MAX_CONTENT);
    ChannelInitializer<Channel> priorKnowledge =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel c) {
            c.pipeline().addLast(frameCodec, multiplex);
          }
        };
    ChannelPipeline p = ch.pipeline();
    p.addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge));
    // Reached only by plain HTTP/1.1 (no upgrade): swap in the aggregator and the echo.
    p.addLast(
        new SimpleChannelInboundHandler<HttpMessage>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addAfter(ctx.name(), null, new EchoHandler(runtime, "HTTP/1.1"));
            pipeline.addAfter(ctx.name(), null, new InFlightCounter(runtime.inFlight()));
            pipeline.replace(this, null, new HttpObjectAggregator(MAX_CONTENT));
            ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
          }
        });
  }
}
