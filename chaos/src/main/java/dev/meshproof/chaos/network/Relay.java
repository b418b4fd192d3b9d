package dev.meshproof.chaos.network;

import dev.meshproof.common.RandomSource;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One direction of a proxied connection: reads from its own channel and writes to the peer, shaped
 * by the toxics in force. Both relays of a connection run on the same event loop, so their state
 * needs no locking.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  /** Stop reading from the source while this much is queued for delayed release. */
  private static final long HIGH_WATER_BYTES = 1 << 20;

  private final Supplier<List<Toxic>> toxics;
  private final RandomSource random;
  private final Toxic.Stream stream;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private Channel self;
  private Channel peer;
  private Relay peerRelay;
  private long queuedBytes;
  private long lastReleaseNanos = System.nanoTime();
  private ScheduledFuture<?> drainTask;
  private boolean closePeerWhenDrained;

  Relay(Supplier<List<Toxic>> toxics, RandomSource random, Toxic.Stream stream) {
    this.toxics = toxics;
    this.random = random;
    this.stream = stream;
  }

  /** Links the two halves of one connection (on the event loop). */
  static void pair(Channel a, Relay ra, Channel b, Relay rb) {
    ra.self = a;
    ra.peer = b;
    ra.peerRelay = rb;
    rb.self = b;
    rb.peer = a;
    rb.peerRelay = ra;
  }

  /** Closes with a TCP RST rather than a FIN. */
  static void reset(Channel ch) {
    if (ch.isActive()) {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    ch.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    List<Toxic> now = toxics.get();
    if (peer == null || now.stream().anyMatch(t -> t instanceof Toxic.Blackhole)) {
      buf.release();
      return;
    }
    long delay = 0;
    Toxic.Bandwidth bandwidth = null;
    for (Toxic t : now) {
      if (t instanceof Toxic.Latency l && l.stream() == stream) {
        delay += l.latency().toNanos() + jitterNanos(l);
      } else if (t instanceof Toxic.Bandwidth b && b.stream() == stream) {
        bandwidth =
            bandwidth == null || b.bytesPerSecond() < bandwidth.bytesPerSecond() ? b : bandwidth;
      }
    }
    long nowNanos = System.nanoTime();
    if (delay == 0 && bandwidth == null && queue.isEmpty()) {
      peer.writeAndFlush(buf);
      updateAutoRead();
      return;
    }
    // Release times never go backwards, so a chunk with a small jitter draw cannot overtake an
    // earlier one; bytes stay in order as on a real link.
    long release = Math.max(lastReleaseNanos, nowNanos + delay);
    if (bandwidth == null) {
      enqueue(buf, release);
    } else {
      long rate = bandwidth.bytesPerSecond();
      // Slices of about 50ms worth, so a large read does not arrive as one late burst.
      int slice = (int) Math.max(1, Math.min(Integer.MAX_VALUE, rate / 20));
      while (buf.isReadable()) {
        ByteBuf piece = buf.readRetainedSlice(Math.min(slice, buf.readableBytes()));
        release += piece.readableBytes() * 1_000_000_000L / rate;
        enqueue(piece, release);
      }
      buf.release();
    }
    lastReleaseNanos = release;
    drain();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (peerRelay != null) {
      peerRelay.updateAutoRead();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peerRelay != null) {
      peerRelay.discardQueue();
    }
    if (peer != null) {
      if (queue.isEmpty()) {
        closePeer();
      } else {
        closePeerWhenDrained = true;
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // An I/O error on one side (typically a reset by the peer) ends the relayed connection; the
    // client sees the close, as it would through Envoy.
    ctx.close();
  }

  private long jitterNanos(Toxic.Latency l) {
    long jitter = l.jitter().toNanos();
    return jitter == 0 ? 0 : random.nextLong(jitter + 1);
  }

  private void enqueue(ByteBuf piece, long releaseAt) {
    queue.add(new Pending(piece, releaseAt));
    queuedBytes += piece.readableBytes();
  }

  private void drain() {
    if (!peer.isActive()) {
      discardQueue();
      return;
    }
    long now = System.nanoTime();
    boolean wrote = false;
    while (!queue.isEmpty() && queue.peek().releaseAt() - now <= 0) {
      Pending p = queue.poll();
      queuedBytes -= p.buf().readableBytes();
      peer.write(p.buf());
      wrote = true;
    }
    if (wrote) {
      peer.flush();
    }
    if (!queue.isEmpty()) {
      if (drainTask == null) {
        drainTask =
            self.eventLoop()
                .schedule(
                    () -> {
                      drainTask = null;
                      drain();
                    },
                    queue.peek().releaseAt() - now,
                    TimeUnit.NANOSECONDS);
      }
    } else if (closePeerWhenDrained) {
      closePeer();
    }
    updateAutoRead();
  }

  private void discardQueue() {
    if (drainTask != null) {
      drainTask.cancel(false);
      drainTask = null;
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.buf().release();
    }
    queuedBytes = 0;
  }

  private void closePeer() {
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  void updateAutoRead() {
    if (self != null && self.isActive()) {
      self.config().setAutoRead(peer.isWritable() && queuedBytes < HIGH_WATER_BYTES);
    }
  }

  private record Pending(ByteBuf buf, long releaseAt) {}
}
