package dev.meshproof.scenario.load;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The live tally of one {@link LoadPhase}: every issued request ends in exactly one outcome (ok,
 * error status, connection error, timeout), and the latency of every answered request goes to the
 * histogram in microseconds. Once {@link #seal()}ed, late outcomes are ignored: the request they
 * belong to was already counted as a timeout.
 */
final class PhaseRun {
  /** Latencies above this are clamped (and are timeouts long before that anyway). */
  static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);

  private final LoadPhase phase;
  private final LoadListener listener;
  private final long startNanos;
  private final long stopIssuingNanos;
  private final Histogram latencies = new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
  private final AtomicLong issued = new AtomicLong();
  private final LongAdder ok = new LongAdder();
  private final LongAdder errorStatus = new LongAdder();
  private final LongAdder connectionErrors = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong maxSendLagNanos = new AtomicLong();
  private final LongAdder lateSends = new LongAdder();
  private final CompletableFuture<Void> allAnswered = new CompletableFuture<>();
  private final CompletableFuture<Void> issuingFinished = new CompletableFuture<>();
  private volatile boolean issuingDone;
  private volatile boolean sealed;

  PhaseRun(LoadPhase phase, LoadListener listener, long startNanos) {
    this.phase = phase;
    this.listener = listener;
    this.startNanos = startNanos;
    this.stopIssuingNanos = startNanos + phase.duration().toNanos();
  }

  LoadPhase phase() {
    return phase;
  }

  long startNanos() {
    return startNanos;
  }

  boolean sealed() {
    return sealed;
  }

  /** Whether answers' headers and body are wanted (a listener is told each outcome). */
  boolean wantsAnswers() {
    return listener != null;
  }

  /**
   * Claims the next request of a closed-loop phase: its sequence number, or -1 once the duration or
   * request budget is used up, after which the connection stops sending.
   */
  long tryIssue(long nowNanos) {
    if (sealed || nowNanos - stopIssuingNanos >= 0) {
      return -1;
    }
    while (true) {
      long n = issued.get();
      if (n >= phase.maxRequests()) {
        return -1;
      }
      if (issued.compareAndSet(n, n + 1)) {
        if (n + 1 == phase.maxRequests()) {
          issuingFinished.complete(null);
        }
        return n;
      }
    }
  }

  /** Completes when a closed-loop phase used its whole request budget before its duration. */
  CompletableFuture<Void> issuingFinished() {
    return issuingFinished;
  }

  /** Counts an open-loop request handed to a connection, and how late the pacer was. */
  void issued(long sendLagNanos) {
    issued.incrementAndGet();
    maxSendLagNanos.accumulateAndGet(sendLagNanos, Math::max);
    if (sendLagNanos > LoadResult.LATE_SEND.toNanos()) {
      lateSends.increment();
    }
  }

  /** No request will be issued any more; the phase ends when every issued one has an outcome. */
  void issuingDone() {
    issuingDone = true;
    checkDone();
  }

  void answered(PendingRequest request, long nowNanos) {
    if (sealed) {
      return;
    }
    int status = request.status;
    long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(nowNanos - request.intendedStartNanos));
    latencies.recordValue(Math.min(micros, HIGHEST_MICROS));
    if (status >= 200 && status < 300) {
      ok.increment();
    } else {
      errorStatus.increment();
    }
    tell(request, LoadOutcome.Kind.RESPONSE, nowNanos);
    finished();
  }

  void connectionError(PendingRequest request) {
    if (!sealed) {
      connectionErrors.increment();
      tell(request, LoadOutcome.Kind.CONNECTION_ERROR, System.nanoTime());
      finished();
    }
  }

  void timedOut(PendingRequest request) {
    if (!sealed) {
      timeouts.increment();
      tell(request, LoadOutcome.Kind.TIMEOUT, System.nanoTime());
      finished();
    }
  }

  private void tell(PendingRequest request, LoadOutcome.Kind kind, long nowNanos) {
    if (listener != null) {
      boolean response = kind == LoadOutcome.Kind.RESPONSE;
      listener.outcome(
          request.index,
          new LoadOutcome(
              kind,
              response ? request.status : 0,
              response ? request.headers : java.util.Map.of(),
              response ? request.body : new byte[0],
              request.intendedStartNanos,
              request.sentNanos == 0 ? nowNanos : request.sentNanos,
              nowNanos,
              response ? request.firstBodyUnixNanos : 0));
    }
  }

  private void finished() {
    completed.incrementAndGet();
    checkDone();
  }

  private void checkDone() {
    if (issuingDone && completed.get() >= issued.get()) {
      allAnswered.complete(null);
    }
  }

  CompletableFuture<Void> allAnswered() {
    return allAnswered;
  }

  /**
   * Freezes the tally: requests still without an outcome count as timeouts (they were not answered
   * within the phase's time limit).
   */
  LoadResult seal(long endNanos) {
    sealed = true;
    long unanswered = Math.max(0, issued.get() - completed.get());
    return new LoadResult(
        phase,
        latencies.copy(),
        issued.get(),
        ok.sum(),
        errorStatus.sum(),
        connectionErrors.sum(),
        timeouts.sum() + unanswered,
        java.time.Duration.ofNanos(endNanos - startNanos),
        java.time.Duration.ofNanos(maxSendLagNanos.get()),
        lateSends.sum());
  }
}
