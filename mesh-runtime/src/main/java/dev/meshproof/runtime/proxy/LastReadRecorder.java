package dev.meshproof.runtime.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * Keeps a view of the most recent bytes read from a downstream connection, for the one decision the
 * HTTP decoder's result cannot make alone (HTTP/0.9 versus a garbage request line). Holds one
 * read's buffer at a time (retained, with the bounds it was read with) and releases it on the next
 * read or when the connection ends. The view is only made when asked for: almost no request needs
 * it, and a duplicate per read was a tenth of the sidecar's allocation under load.
 */
final class LastReadRecorder extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<LastReadRecorder> KEY =
      AttributeKey.valueOf(LastReadRecorder.class, "lastRead");

  private ByteBuf last;
  private int lastStart;
  private int lastEnd;

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
    if (recorder == null || recorder.last == null) {
      return Optional.empty();
    }
    // The retained buffer's bytes in these bounds stay as read: a decoder never writes into or
    // discards from a buffer someone else also holds (its reference count is above one).
    return Optional.of(
        recorder.last.slice(recorder.lastStart, recorder.lastEnd - recorder.lastStart));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf bytes) {
      release();
      last = bytes.retain();
      lastStart = bytes.readerIndex();
      lastEnd = bytes.writerIndex();
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
