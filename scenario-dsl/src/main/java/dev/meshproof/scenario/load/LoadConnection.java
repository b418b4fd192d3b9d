package dev.meshproof.scenario.load;

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
  protected final RequestSource requests;
  private final ScheduledFuture<?> sweeper;
  private boolean dead;

  LoadConnection(Channel channel, RequestSource requests) {
    this.channel = channel;
    this.requests = requests;
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
    long index = run.tryIssue(now);
    if (index >= 0) {
      accept(new PendingRequest(run, index, requests.request(index), now));
    }
  }

  private void accept(PendingRequest request) {
    if (dead || !channel.isActive()) {
      request.run.connectionError(request);
      return;
    }
    send(request);
  }

  /** Called on the event loop when {@code request} got its full answer. */
  protected final void answered(PendingRequest request) {
    long now = System.nanoTime();
    request.run.answered(request, now);
    if (request.run.phase().kind() == LoadPhase.Kind.CLOSED_LOOP) {
      sendNextClosedLoop(request.run);
    }
  }

  /** Called on the event loop when {@code request} failed on the connection. */
  protected final void failed(PendingRequest request) {
    request.run.connectionError(request);
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

  /** Response headers by lower-case name, values in order (HTTP/2 pseudo-headers left out). */
  static java.util.Map<String, java.util.List<String>> headers(
      Iterable<? extends java.util.Map.Entry<? extends CharSequence, ? extends CharSequence>>
          headers) {
    java.util.Map<String, java.util.List<String>> byName = new java.util.LinkedHashMap<>();
    for (java.util.Map.Entry<? extends CharSequence, ? extends CharSequence> header : headers) {
      String name = header.getKey().toString().toLowerCase(java.util.Locale.ROOT);
      if (!name.startsWith(":")) {
        byName
            .computeIfAbsent(name, k -> new java.util.ArrayList<>())
            .add(header.getValue().toString());
      }
    }
    return byName;
  }

  static boolean expired(PendingRequest request, long nowNanos) {
    return nowNanos - request.sentNanos > request.run.phase().requestTimeout().toNanos();
  }
}
