package dev.meshproof.common;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Virtual time for tests, after grpc-java's {@code FakeClock}: a {@link Clock} and a {@link
 * ScheduledExecutorService} over one counter that moves only on {@link #advance(Duration)}, which
 * runs due tasks on the calling thread in deadline order, then submission order.
 *
 * <p>One class for unit tests of time-driven policy (ejection windows, backoffs, chaos timelines)
 * and, later, the simulated target: public on purpose, never a package-private test hook.
 */
public final class VirtualClock {
  private final Instant origin;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long nowNanos;
  private long nextSeq;

  /** Virtual time starting at {@code origin}. */
  public VirtualClock(Instant origin) {
    this.origin = origin;
  }

  /** Virtual time starting at 2025-01-01T00:00:00Z. */
  public VirtualClock() {
    this(Instant.parse("2025-01-01T00:00:00Z"));
  }

  /** A clock reading the virtual time. */
  public Clock clock() {
    return new View(ZoneOffset.UTC);
  }

  /** A scheduler whose tasks run on {@link #advance(Duration)}. */
  public ScheduledExecutorService scheduler() {
    return new Scheduler();
  }

  /** Elapsed virtual time. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(nowNanos);
  }

  /** Tasks waiting (cancelled ones are removed at once). */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  /** Moves time forward by {@code d}, running every task that falls due, each at its deadline. */
  public void advance(Duration d) {
    long target;
    synchronized (this) {
      target = nowNanos + d.toNanos();
    }
    while (true) {
      Task task;
      synchronized (this) {
        task = queue.peek();
        if (task == null || task.deadline > target) {
          nowNanos = target;
          return;
        }
        queue.poll();
        nowNanos = task.deadline;
      }
      task.run();
    }
  }

  private synchronized Task enqueue(Callable<?> body, long delayNanos, long periodNanos) {
    Task t = new Task(body, nowNanos + Math.max(0, delayNanos), periodNanos, nextSeq++);
    queue.add(t);
    return t;
  }

  private final class View extends Clock {
    private final ZoneId zone;

    View(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new View(zone);
    }

    @Override
    public Instant instant() {
      synchronized (VirtualClock.this) {
        return origin.plusNanos(nowNanos);
      }
    }
  }

  private final class Task implements ScheduledFuture<Object>, Runnable {
    private final Callable<?> body;
    private final long periodNanos;
    private long deadline;
    private long seq;
    private boolean cancelled;
    private boolean done;
    private Object result;
    private Throwable failure;

    Task(Callable<?> body, long deadline, long periodNanos, long seq) {
      this.body = body;
      this.deadline = deadline;
      this.periodNanos = periodNanos;
      this.seq = seq;
    }

    @Override
    public void run() {
      try {
        result = body.call();
      } catch (Exception e) {
        failure = e;
        done = true;
        return;
      }
      synchronized (VirtualClock.this) {
        if (periodNanos > 0 && !cancelled) {
          deadline += periodNanos;
          seq = nextSeq++;
          queue.add(this);
        } else {
          done = true;
        }
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      synchronized (VirtualClock.this) {
        return unit.convert(deadline - nowNanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public int compareTo(Delayed o) {
      Task other = (Task) o;
      int byDeadline = Long.compare(deadline, other.deadline);
      return byDeadline != 0 ? byDeadline : Long.compare(seq, other.seq);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (VirtualClock.this) {
        if (done || cancelled) {
          return false;
        }
        cancelled = true;
        queue.remove(this);
        return true;
      }
    }

    @Override
    public boolean isCancelled() {
      synchronized (VirtualClock.this) {
        return cancelled;
      }
    }

    @Override
    public boolean isDone() {
      synchronized (VirtualClock.this) {
        return done || cancelled;
      }
    }

    @Override
    public Object get() {
      if (!isDone()) {
        throw new IllegalStateException("virtual task not run yet: advance the clock first");
      }
      if (failure != null) {
        throw new IllegalStateException("virtual task failed", failure);
      }
      return result;
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return get();
    }
  }

  private final class Scheduler extends AbstractExecutorService
      implements ScheduledExecutorService {
    private boolean shutdown;

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return enqueue(Executors.callable(command), unit.toNanos(delay), 0);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      return (ScheduledFuture<V>) (ScheduledFuture<?>) enqueue(callable, unit.toNanos(delay), 0);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      return enqueue(
          Executors.callable(command), unit.toNanos(initialDelay), checkPeriod(period, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
        Runnable command, long initialDelay, long delay, TimeUnit unit) {
      // Tasks take no virtual time, so a fixed delay equals a fixed rate.
      return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
      enqueue(Executors.callable(command), 0, 0);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      synchronized (VirtualClock.this) {
        List<Runnable> drained = new ArrayList<>(queue);
        queue.clear();
        return drained;
      }
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown && pendingTasks() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return isTerminated();
    }

    private long checkPeriod(long period, TimeUnit unit) {
      if (period <= 0) {
        throw new IllegalArgumentException("period: " + period + " " + unit + " (expected: > 0)");
      }
      return unit.toNanos(period);
    }
  }
}
