package dev.meshproof.runtime.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * Keeps a view of the most recent bytes read from a downstream connection, for the one decision the
 * HTTP decoder's result cannot make alone (HTTP/0.9 versus a garbage request line). Holds one
 * retained duplicate at a time and releases it on the next read or when the connection ends.
 */
final class LastReadRecorder extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<LastReadRecorder> KEY =
      AttributeKey.valueOf(LastReadRecorder.class, "lastRead");

  private ByteBuf last;

  static void install(io.netty.channel.Channel channel) {
    LastReadRecorder recorder = new LastReadRecorder();
    channel.attr(KEY).set(recorder);
    // After TLS, if any (the request bytes are the decrypted ones), else after the transport
    // selector, which hands on the first bytes it held when it leaves the pipeline.
    var tls = channel.pipeline().context(io.netty.handler.ssl.SslHandler.class);
    var selector = channel.pipeline().context(TransportSelector.class);
    if (tls != null) {
      channel.pipeline().addAfter(tls.name(), null, recorder);
    } else if (selector != null) {
      channel.pipeline().addAfter(selector.name(), null, recorder);
    } else {
      channel.pipeline().addFirst(recorder);
    }
  }

  /**
   * The last bytes read on {@code channel}'s connection (or its parent's, for an HTTP/2 stream).
   */
  static Optional<ByteBuf> lastRead(io.netty.channel.Channel channel) {
    LastReadRecorder recorder = channel.attr(KEY).get();
    return recorder == null ? Optional.empty() : Optional.ofNullable(recorder.last);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      release();
      last = bytes.retainedDuplicate();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    if (last != null) {
      last.release();
      last = null;
    }
  }
}
