package dev.meshproof.fake.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the requests of one connection (or HTTP/2 stream) that were received and not yet answered
 * in full, into the instance's shared counter: a request counts from its arrival to the write of
 * its last response byte, or until its connection closes without an answer.
 */
final class InFlightCounter extends ChannelDuplexHandler {
  private final AtomicInteger instanceInFlight;
  private int pending;

  InFlightCounter(AtomicInteger instanceInFlight) {
    this.instanceInFlight = instanceInFlight;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest) {
      pending++;
      instanceInFlight.incrementAndGet();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent && pending > 0) {
      pending--;
      instanceInFlight.decrementAndGet();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    instanceInFlight.addAndGet(-pending);
    pending = 0;
    ctx.fireChannelInactive();
  }
}
