package dev.meshproof.runtime.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
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
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.util.function.Supplier;

/**
 * The downstream side of a sidecar listener, like Envoy's HTTP connection manager with {@code
 * codec_type: AUTO} on a plaintext listener: HTTP/1.1, or HTTP/2 cleartext by prior knowledge or by
 * {@code Upgrade: h2c}. Each HTTP/2 stream gets its own child channel that carries the same
 * aggregated HTTP messages as HTTP/1.1, so the proxy handler serves both protocols unchanged.
 */
final class DownstreamCodec {
  private DownstreamCodec() {}

  static void configure(Channel channel, int maxBody, Supplier<ChannelHandler> proxy) {
    HttpServerCodec http1 = new HttpServerCodec(Http1Validation.decoderConfig());
    HttpServerUpgradeHandler.UpgradeCodecFactory upgrades =
        protocol ->
            AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                ? new Http2ServerUpgradeCodec(
                    http2Codec(), new Http2MultiplexHandler(streamInitializer(maxBody, proxy)))
                : null;
    CleartextHttp2ServerUpgradeHandler cleartext =
        new CleartextHttp2ServerUpgradeHandler(
            http1,
            new HttpServerUpgradeHandler(http1, upgrades, maxBody),
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                // Prior knowledge: the connection preface arrived instead of an HTTP/1.1 request.
                ch.pipeline()
                    .addLast(http2Codec())
                    .addLast(new Http2MultiplexHandler(streamInitializer(maxBody, proxy)));
              }
            });
    ChannelPipeline pipeline = channel.pipeline();
    pipeline.addLast(cleartext);
    LastReadRecorder.install(channel);
    // Reached only by HTTP/1.1 (the upgrade handlers remove themselves for HTTP/2).
    pipeline.addLast(new ExpectKeepingAggregator(maxBody));
    pipeline.addLast(proxy.get());
  }

  /**
   * Aggregates a request and answers its {@code Expect: 100-continue} at once, as Netty's
   * aggregator does, but keeps the header on the request: with {@code proxy_100_continue} the
   * connection manager sends it upstream, as Envoy does (the {@link HttpProxyHandler} drops it
   * otherwise).
   */
  static final class ExpectKeepingAggregator extends HttpObjectAggregator {
    ExpectKeepingAggregator(int maxBody) {
      super(maxBody);
    }

    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      String expect = start.headers().get(HttpHeaderNames.EXPECT);
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (response != null && expect != null) {
        start.headers().set(HttpHeaderNames.EXPECT, expect);
      }
      return response;
    }
  }

  /**
   * Envoy's HTTP connection manager's limit on concurrent streams per downstream connection when
   * {@code http2_protocol_options.max_concurrent_streams} is unset, which istiod leaves unset on
   * sidecar listeners: 2^31 - 1 ({@code
   * Http2::Utility::OptionsLimits::DEFAULT_MAX_CONCURRENT_STREAMS}). Netty's server codec otherwise
   * refuses a client's streams beyond 100 at a time (its default for the peer's endpoint): the "100
   * streams" defect of issue #21.
   */
  static final long ENVOY_MAX_CONCURRENT_STREAMS = Integer.MAX_VALUE;

  /** The server side of one HTTP/2 connection, advertising Envoy's settings. */
  private static Http2FrameCodec http2Codec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(
            Http2Settings.defaultSettings().maxConcurrentStreams(ENVOY_MAX_CONCURRENT_STREAMS))
        // Netty closes a connection after 200 RST_STREAMs from the client in 30 s (its "rapid
        // reset" guard); Envoy counts only premature resets (within 1 s of a stream's start) and
        // closes at 250 of them (ConnectionManagerImpl::maybeDrainDueToPrematureResets), so a
        // client that cancels calls it gave up on (a deadline, a load generator's timeout) keeps
        // its connection, as on Envoy. (Envoy's premature-reset close is not reproduced.)
        .decoderEnforceMaxRstFramesPerWindow(0, 0)
        .build();
  }

  private static ChannelInitializer<Channel> streamInitializer(
      int maxBody, Supplier<ChannelHandler> proxy) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel stream) {
        stream
            .pipeline()
            .addLast(new Http2StreamFrameToHttpObjectCodec(true))
            .addLast(new ExpectKeepingAggregator(maxBody))
            .addLast(proxy.get());
      }
    };
  }
}
