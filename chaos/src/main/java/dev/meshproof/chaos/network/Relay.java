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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One direction of a proxied connection: reads from its own channel and writes to the peer, shaped
 * by the toxics in force that apply to this connection. Both relays of a connection run on the same
 * event loop, so their state needs no locking.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  /** Stop reading from the source while this much is queued for delayed release. */
  private static final long HIGH_WATER_BYTES = 1 << 20;

  private final Supplier<List<ToxicProxy.ActiveToxic>> toxics;
  private final Connection connection;
  private final Toxic.Stream stream;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private Channel self;
  private Channel peer;
  private Relay peerRelay;
  private long queuedBytes;
  private long relayedBytes;
  private long lastReleaseNanos = System.nanoTime();
  private ScheduledFuture<?> drainTask;
  private ScheduledFuture<?> timeoutTask;
  private boolean closePeerWhenDrained;
  private boolean limitReached;

  Relay(Supplier<List<ToxicProxy.ActiveToxic>> toxics, Connection connection, Toxic.Stream stream) {
    this.toxics = toxics;
    this.connection = connection;
    this.stream = stream;
  }

  /**
   * What one proxied connection decided about each toxic: whether it applies (drawn once per
   * connection and toxic from the seeded source, Toxiproxy's toxicity), shared by both directions.
   */
  static final class Connection {
    private final RandomSource random;
    private final Map<ToxicProxy.ActiveToxic, Boolean> applies = new IdentityHashMap<>();

    Connection(RandomSource random) {
      this.random = random;
    }

    synchronized boolean applies(ToxicProxy.ActiveToxic toxic) {
      return applies.computeIfAbsent(
          toxic, t -> t.toxicity() >= 1.0 || random.nextDouble() < t.toxicity());
    }

    long jitterNanos(Toxic.Latency l) {
      long jitter = l.jitter().toNanos();
      return jitter == 0 ? 0 : random.nextLong(jitter + 1);
    }

    int sliceSize(Toxic.Slicer s) {
      int v = s.sizeVariation();
      return v == 0 ? s.averageSize() : s.averageSize() - v + (int) random.nextLong(2L * v + 1);
    }
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

  /** Whether this relay reads from the client (the upstream stream). */
  boolean isClientSide() {
    return stream == Toxic.Stream.UPSTREAM;
  }

  Connection connection() {
    return connection;
  }

  /** Resets both sides of the connection (on its event loop). */
  void resetBoth() {
    if (self != null) {
      reset(self);
    }
    if (peer != null) {
      reset(peer);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (peer == null || limitReached) {
      buf.release();
      return;
    }
    long delay = 0;
    Toxic.Bandwidth bandwidth = null;
    Toxic.Slicer slicer = null;
    for (ToxicProxy.ActiveToxic active : toxics.get()) {
      Toxic t = active.toxic();
      if (!affectsThisStream(t) || !connection.applies(active)) {
        continue;
      }
      if (t instanceof Toxic.Blackhole) {
        buf.release();
        return;
      }
      if (t instanceof Toxic.Timeout timeout) {
        buf.release();
        armTimeout(timeout);
        return;
      }
      if (t instanceof Toxic.Latency l) {
        delay += l.latency().toNanos() + connection.jitterNanos(l);
      } else if (t instanceof Toxic.Bandwidth b) {
        bandwidth =
            bandwidth == null || b.bytesPerSecond() < bandwidth.bytesPerSecond() ? b : bandwidth;
      } else if (t instanceof Toxic.Slicer s) {
        slicer = s;
      } else if (t instanceof Toxic.LimitData limit) {
        long left = limit.bytes() - relayedBytes;
        if (left < buf.readableBytes()) {
          // Pass what the limit allows, then close the connection once it is out.
          limitReached = true;
          ByteBuf allowed = buf.readRetainedSlice((int) Math.max(0, left));
          buf.release();
          buf = allowed;
        }
      }
    }
    relayedBytes += buf.readableBytes();
    long nowNanos = System.nanoTime();
    if (delay == 0 && bandwidth == null && slicer == null && queue.isEmpty()) {
      peer.writeAndFlush(buf);
      if (limitReached) {
        closeBothWhenDrained();
      }
      updateAutoRead();
      return;
    }
    // Release times never go backwards, so a chunk with a small jitter draw cannot overtake an
    // earlier one; bytes stay in order as on a real link.
    long release = Math.max(lastReleaseNanos, nowNanos + delay);
    if (slicer != null) {
      long gap = slicer.delay().toNanos();
      boolean first = true;
      while (buf.isReadable()) {
        ByteBuf piece =
            buf.readRetainedSlice(Math.min(connection.sliceSize(slicer), buf.readableBytes()));
        release += first ? 0 : gap;
        first = false;
        release = enqueueAtRate(piece, release, bandwidth);
      }
      buf.release();
    } else if (bandwidth == null) {
      enqueue(buf, release);
    } else {
      long rate = bandwidth.bytesPerSecond();
      // Slices of about 50ms worth, so a large read does not arrive as one late burst.
      int slice = (int) Math.max(1, Math.min(Integer.MAX_VALUE, rate / 20));
      while (buf.isReadable()) {
        ByteBuf piece = buf.readRetainedSlice(Math.min(slice, buf.readableBytes()));
        release = enqueueAtRate(piece, release, bandwidth);
      }
      buf.release();
    }
    lastReleaseNanos = release;
    if (limitReached) {
      closeBothWhenDrained();
    }
    drain();
  }

  private long enqueueAtRate(ByteBuf piece, long release, Toxic.Bandwidth bandwidth) {
    long at =
        bandwidth == null
            ? release
            : release + piece.readableBytes() * 1_000_000_000L / bandwidth.bytesPerSecond();
    enqueue(piece, at);
    return at;
  }

  private boolean affectsThisStream(Toxic t) {
    if (t instanceof Toxic.Blackhole b) {
      return b.streams().contains(stream);
    }
    return t.direction().map(d -> d == stream).orElse(false);
  }

  private void armTimeout(Toxic.Timeout timeout) {
    if (timeoutTask == null) {
      timeoutTask =
          self.eventLoop()
              .schedule(
                  () -> {
                    self.close();
                    peer.close();
                  },
                  timeout.timeout().toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void closeBothWhenDrained() {
    closePeerWhenDrained = true;
    self.config().setAutoRead(false);
    if (queue.isEmpty()) {
      closePeer();
      self.close();
    }
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
    if (timeoutTask != null) {
      timeoutTask.cancel(false);
    }
    if (peerRelay != null) {
      peerRelay.discardQueue();
    }
    if (peer != null) {
      long slowClose = slowCloseNanos();
      if (slowClose > 0) {
        // The close travels the slow way: the peer learns of it only after the delay.
        Channel p = peer;
        p.eventLoop().schedule(() -> closeChannel(p), slowClose, TimeUnit.NANOSECONDS);
      } else if (queue.isEmpty()) {
        closePeer();
      } else {
        closePeerWhenDrained = true;
      }
    }
    ctx.fireChannelInactive();
  }

  private long slowCloseNanos() {
    long max = 0;
    for (ToxicProxy.ActiveToxic active : toxics.get()) {
      if (active.toxic() instanceof Toxic.SlowClose s
          && s.stream() == stream
          && connection.applies(active)) {
        max = Math.max(max, s.delay().toNanos());
      }
    }
    return max;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // An I/O error on one side (typically a reset by the peer) ends the relayed connection; the
    // client sees the close, as it would through Envoy.
    ctx.close();
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
      if (limitReached) {
        self.close();
      }
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
    closeChannel(peer);
  }

  private static void closeChannel(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  void updateAutoRead() {
    if (self != null && self.isActive() && !limitReached) {
      self.config().setAutoRead(peer.isWritable() && queuedBytes < HIGH_WATER_BYTES);
    }
  }

  private record Pending(ByteBuf buf, long releaseAt) {}
}
