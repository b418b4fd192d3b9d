package dev.meshproof.bench.load;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One persistent connection of the load generator. All state is touched on the channel's event loop
 * only; other threads hand requests over with {@link #submit}. A connection that dies is not
 * reopened: its requests, and every later one handed to it, count as connection errors, so a broken
 * path shows in the tally instead of being retried away.
 */
abstract class LoadConnection {
  private static final long SWEEP_MILLIS = 50;

  protected final Channel channel;
  protected final RequestTemplate template;
  private final ScheduledFuture<?> sweeper;
  private boolean dead;

  LoadConnection(Channel channel, RequestTemplate template) {
    this.channel = channel;
    this.template = template;
    this.sweeper =
        channel
            .eventLoop()
            .scheduleAtFixedRate(
                () -> sweepTimeouts(System.nanoTime()),
                SWEEP_MILLIS,
                SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> onClosed());
  }

  /** Hands an open-loop request over from any thread. */
  final void submit(PendingRequest request) {
    channel.eventLoop().execute(() -> accept(request));
  }

  /** Starts this connection's closed loop: one request in flight, the next when it is answered. */
  final void startClosedLoop(PhaseRun run) {
    channel.eventLoop().execute(() -> sendNextClosedLoop(run));
  }

  private void sendNextClosedLoop(PhaseRun run) {
    long now = System.nanoTime();
    if (run.tryIssue(now)) {
      accept(new PendingRequest(run, now));
    }
  }

  private void accept(PendingRequest request) {
    if (dead || !channel.isActive()) {
      request.run.connectionError();
      return;
    }
    send(request);
  }

  /** Called on the event loop when {@code request} got its full answer. */
  protected final void answered(PendingRequest request) {
    long now = System.nanoTime();
    request.run.answered(request.status, request.intendedStartNanos, now);
    if (request.run.phase().kind() == LoadPhase.Kind.CLOSED_LOOP) {
      sendNextClosedLoop(request.run);
    }
  }

  /** Called on the event loop when {@code request} failed on the connection. */
  protected final void failed(PendingRequest request) {
    request.run.connectionError();
    if (request.run.phase().kind() == LoadPhase.Kind.CLOSED_LOOP && !dead && channel.isActive()) {
      sendNextClosedLoop(request.run);
    }
  }

  private void onClosed() {
    dead = true;
    sweeper.cancel(false);
    failAll();
  }

  /** Sends (or queues) the request; on the event loop. */
  protected abstract void send(PendingRequest request);

  /** Counts timeouts among requests sent before {@code nowNanos - timeout}; on the event loop. */
  protected abstract void sweepTimeouts(long nowNanos);

  /** Counts every request still held as a connection error; on the event loop, after close. */
  protected abstract void failAll();

  final boolean isDead() {
    return dead;
  }

  /** Closes the connection and waits for it. */
  final void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  static boolean expired(PendingRequest request, long nowNanos) {
    return nowNanos - request.sentNanos > request.run.phase().requestTimeout().toNanos();
  }
}
