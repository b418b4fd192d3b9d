package dev.meshproof.runtime.xds;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * istiod's push debounce ({@code pilot/pkg/xds/discovery.go debounce}): changes are merged into one
 * pending push, which runs when no change arrived for {@link PushDebounce#after()} or {@link
 * PushDebounce#max()} after the first pending change. Time comes from an injected clock and
 * scheduler (a {@code VirtualClock} in tests); {@link #flush()} runs a pending push at once, for a
 * caller that waits for the proxies to hold what it applied.
 */
final class PushDebouncer {
  private final PushDebounce debounce;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Runnable push;

  private boolean pending;
  private Instant firstChange;
  private Instant lastChange;
  private ScheduledFuture<?> timer;
  private long pushes;
  private long merged;
  private RuntimeException failure;
  private int inFlight;

  PushDebouncer(
      PushDebounce debounce, Clock clock, ScheduledExecutorService scheduler, Runnable push) {
    this.debounce = debounce;
    this.clock = clock;
    this.scheduler = scheduler;
    this.push = push;
  }

  /** Records a change: pushes now without debouncing, else (re)arms the quiet-period timer. */
  void changed() {
    if (debounce.after().isZero()) {
      runPush();
      return;
    }
    synchronized (this) {
      Instant now = clock.instant();
      lastChange = now;
      if (pending) {
        merged++;
        return;
      }
      pending = true;
      firstChange = now;
      arm(debounce.after());
    }
  }

  /**
   * Runs the pending push now, if there is one, after waiting for a scheduled push already running:
   * on return, every change recorded before the call has been pushed.
   *
   * @throws IllegalStateException when a push that ran on the scheduler failed since the last flush
   */
  void flush() {
    boolean run;
    synchronized (this) {
      run = pending;
      clear();
      // The timer may have taken the pending push a moment ago and still be translating it.
      while (inFlight > 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while a push was running", e);
        }
      }
      RuntimeException failed = failure;
      failure = null;
      if (failed != null) {
        throw new IllegalStateException("a debounced push failed: " + failed.getMessage(), failed);
      }
    }
    if (run) {
      runPush();
    }
  }

  /** Pushes run so far, and changes merged into a push that was already pending. */
  synchronized long pushes() {
    return pushes;
  }

  synchronized long mergedChanges() {
    return merged;
  }

  synchronized void cancel() {
    if (timer != null) {
      timer.cancel(false);
    }
    pending = false;
  }

  private void arm(Duration delay) {
    timer = scheduler.schedule(this::onTimer, Math.max(1, delay.toNanos()), TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    synchronized (this) {
      if (!pending) {
        return;
      }
      Instant now = clock.instant();
      Instant quietAt = lastChange.plus(debounce.after());
      Instant maxAt = firstChange.plus(debounce.max());
      if (now.isBefore(quietAt) && now.isBefore(maxAt)) {
        arm(Duration.between(now, quietAt.isBefore(maxAt) ? quietAt : maxAt));
        return;
      }
      clear();
      inFlight++;
    }
    try {
      runPush();
    } catch (RuntimeException e) {
      // Kept for the next flush(): the caller that waits for the proxies sees why they did not
      // sync.
      synchronized (this) {
        failure = e;
      }
    } finally {
      synchronized (this) {
        inFlight--;
        notifyAll();
      }
    }
  }

  private void clear() {
    pending = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void runPush() {
    synchronized (this) {
      pushes++;
    }
    push.run();
  }
}
