package dev.meshproof.chaos;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One execution of a {@link ChaosTimeline}: {@link #start()} arms every injection and revert
 * relative to now on the given scheduler; {@link #close()} cancels what has not happened and
 * reverts every fault still in force, so a fault never outlives its run. Each step is recorded as a
 * {@link ChaosEvent} with its offset by the given clock.
 *
 * <p>A fault with a {@link ChaosTrigger} is armed when its event happens, its offset counting from
 * then: after {@link #requestCompleted()} was called the trigger's number of times, or when its
 * condition, polled on the scheduler, first holds. One whose event never happened is recorded as
 * {@link ChaosEvent.Kind#FAILED} by {@link #close()}.
 *
 * <p>Time comes only from the injected {@link ScheduledExecutorService} and {@link Clock}, so a
 * virtual clock drives a run deterministically. Steps at the same offset run in one task: reverts
 * first, then injections in timeline order, so back-to-back faults never overlap.
 *
 * <pre>{@code
 * try (ChaosRun chaos = ChaosRun.of(timeline, scheduler, clock).start()) {
 *   ... send traffic ...
 * } // every fault reverted here
 * }</pre>
 */
public final class ChaosRun implements AutoCloseable {
  private final ChaosTimeline timeline;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final List<ScheduledFuture<?>> pending = new ArrayList<>();
  private final Map<Integer, Injection> active = new LinkedHashMap<>();
  private final List<ChaosEvent> events = new ArrayList<>();
  private Instant startedAt;
  private boolean closed;

  /** Triggers not yet happened, with the timeline indices of the faults waiting for each. */
  private final Map<ChaosTrigger, List<Integer>> waiting = new LinkedHashMap<>();

  /**
   * Requests completed since {@link #start()}, counted without the run's lock: the callers are
   * event-loop threads, and a fault in progress holds the lock while it waits for those very event
   * loops (an instance restarting binds on them), so taking the lock there would deadlock.
   */
  private final AtomicLong requestsCompleted = new AtomicLong();

  /** Whether requests are counted: between {@link #start()} and {@link #close()}. */
  private volatile boolean counting;

  /** The smallest count a waiting {@link ChaosTrigger.Requests} needs; MAX_VALUE when none. */
  private volatile long nextRequestCount = Long.MAX_VALUE;

  private ChaosRun(
      ChaosTimeline timeline,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler,
      Clock clock) {
    this.timeline = Objects.requireNonNull(timeline, "timeline");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = ownsScheduler;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A run on a caller-owned scheduler and clock (a virtual clock in tests and the simulated target,
   * the system ones on a real mesh). {@link #close()} does not shut the scheduler down.
   */
  public static ChaosRun of(
      ChaosTimeline timeline, ScheduledExecutorService scheduler, Clock clock) {
    return new ChaosRun(timeline, scheduler, false, clock);
  }

  /** A run on wall-clock time with its own single daemon thread, shut down by {@link #close()}. */
  public static ChaosRun onSystemClock(ChaosTimeline timeline) {
    Objects.requireNonNull(timeline, "timeline");
    ScheduledExecutorService own =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "meshproof-chaos");
              t.setDaemon(true);
              return t;
            });
    return new ChaosRun(timeline, own, true, Clock.systemUTC());
  }

  /**
   * Arms the timeline relative to now; faults at offset zero are injected before this returns.
   *
   * @return this
   * @throws IllegalStateException when already started or closed
   */
  public synchronized ChaosRun start() {
    if (startedAt != null || closed) {
      throw new IllegalStateException(
          "chaos run " + (closed ? "closed" : "already started at " + startedAt));
    }
    startedAt = clock.instant();
    List<ScheduledFault> faults = timeline.faults();
    List<Integer> now = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      Optional<ChaosTrigger> trigger = faults.get(i).trigger();
      if (trigger.isPresent()) {
        waiting.computeIfAbsent(trigger.get(), k -> new ArrayList<>()).add(i);
      } else {
        now.add(i);
      }
    }
    arm(now, "");
    nextRequestCount = nextRequestCount();
    counting = true;
    for (ChaosTrigger trigger : List.copyOf(waiting.keySet())) {
      if (trigger instanceof ChaosTrigger.Condition condition) {
        ScheduledFuture<?>[] poll = new ScheduledFuture<?>[1];
        long every = condition.pollEvery().toNanos();
        poll[0] =
            scheduler.scheduleAtFixedRate(
                () -> poll(condition, poll[0]), every, every, TimeUnit.NANOSECONDS);
        pending.add(poll[0]);
      }
    }
    return this;
  }

  /**
   * Arms the faults at {@code indices} relative to now: those at offset zero are injected before
   * this returns, the others scheduled. {@code note} goes into their INJECTED events.
   */
  private void arm(List<Integer> indices, String note) {
    TreeMap<Duration, List<Step>> byOffset = new TreeMap<>();
    List<ScheduledFault> faults = timeline.faults();
    for (int i : indices) {
      ScheduledFault f = faults.get(i);
      byOffset.computeIfAbsent(f.at(), k -> new ArrayList<>()).add(new Step(i, false, note));
      f.revertAt()
          .ifPresent(
              at ->
                  byOffset.computeIfAbsent(at, k -> new ArrayList<>()).add(new Step(i, true, "")));
    }
    for (Map.Entry<Duration, List<Step>> e : byOffset.entrySet()) {
      List<Step> steps = new ArrayList<>(e.getValue());
      // Reverts before injections at the same instant: a fault ending at t and one starting at t
      // must not be in force together.
      steps.sort((a, b) -> Boolean.compare(b.revert(), a.revert()));
      if (e.getKey().isZero()) {
        // Faults due now are in force when this returns (at the start: before the first request).
        runSteps(steps);
        continue;
      }
      pending.add(
          scheduler.schedule(() -> runSteps(steps), e.getKey().toNanos(), TimeUnit.NANOSECONDS));
    }
  }

  /**
   * Tells the run one more request completed: faults waiting for that many requests are armed next,
   * on the run's scheduler (never on the caller's thread, which may be an event loop a fault in
   * progress is waiting for). Safe from any thread; ignored before {@link #start()} and after
   * {@link #close()}.
   */
  public CompletableFuture<Void> requestCompleted() {
    if (!counting) {
      return CompletableFuture.completedFuture(null);
    }
    if (requestsCompleted.incrementAndGet() < nextRequestCount) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return CompletableFuture.runAsync(this::fireRequestTriggers, scheduler);
    } catch (RejectedExecutionException closedMeanwhile) {
      // The run closed: its waiting triggers are recorded as never happened.
      return CompletableFuture.completedFuture(null);
    }
  }

  private synchronized void fireRequestTriggers() {
    if (startedAt == null || closed) {
      return;
    }
    long completed = requestsCompleted.get();
    for (ChaosTrigger trigger : List.copyOf(waiting.keySet())) {
      if (trigger instanceof ChaosTrigger.Requests requests && requests.count() <= completed) {
        fire(trigger);
      }
    }
    nextRequestCount = nextRequestCount();
  }

  private long nextRequestCount() {
    return waiting.keySet().stream()
        .filter(ChaosTrigger.Requests.class::isInstance)
        .mapToLong(t -> ((ChaosTrigger.Requests) t).count())
        .min()
        .orElse(Long.MAX_VALUE);
  }

  private synchronized void poll(ChaosTrigger.Condition condition, ScheduledFuture<?> self) {
    if (closed || !waiting.containsKey(condition)) {
      return;
    }
    boolean happened;
    try {
      happened = condition.test().getAsBoolean();
    } catch (RuntimeException e) {
      cancel(self);
      recordTrigger(condition, "did not happen: its probe failed: " + describe(e));
      waiting.remove(condition);
      return;
    }
    if (happened) {
      cancel(self);
      fire(condition);
    }
  }

  private static void cancel(ScheduledFuture<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }

  private void fire(ChaosTrigger trigger) {
    List<Integer> indices = waiting.remove(trigger);
    if (indices != null) {
      arm(indices, trigger.description());
    }
  }

  /** A FAILED event for every fault still waiting for {@code trigger}. */
  private void recordTrigger(ChaosTrigger trigger, String why) {
    for (int i : waiting.getOrDefault(trigger, List.of())) {
      record(
          timeline.faults().get(i).fault(),
          ChaosEvent.Kind.FAILED,
          "not injected: " + trigger.description() + " " + why);
    }
  }

  /** The event log so far, in the order things happened. */
  public synchronized List<ChaosEvent> events() {
    return List.copyOf(events);
  }

  /** The faults in force now, in injection order. */
  public synchronized List<Fault> activeFaults() {
    return active.keySet().stream().map(i -> timeline.faults().get(i).fault()).toList();
  }

  /** The timeline this run executes. */
  public ChaosTimeline timeline() {
    return timeline;
  }

  /**
   * Cancels pending steps and reverts every fault still in force, latest first. Idempotent. A
   * failing revert is recorded as {@link ChaosEvent.Kind#FAILED} and does not stop the others.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    counting = false;
    pending.forEach(f -> f.cancel(false));
    pending.clear();
    if (startedAt != null) {
      for (Map.Entry<ChaosTrigger, List<Integer>> e : waiting.entrySet()) {
        for (int i : e.getValue()) {
          record(
              timeline.faults().get(i).fault(),
              ChaosEvent.Kind.FAILED,
              "not injected: " + e.getKey().description() + " did not happen before the run ended");
        }
      }
    }
    waiting.clear();
    List<Integer> indices = new ArrayList<>(active.keySet());
    for (int i = indices.size() - 1; i >= 0; i--) {
      revert(indices.get(i), "at end of run");
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  private synchronized void runSteps(List<Step> steps) {
    if (closed) {
      return;
    }
    for (Step step : steps) {
      if (step.revert()) {
        revert(step.index(), "");
      } else {
        inject(step.index(), step.note());
      }
    }
  }

  private void inject(int index, String note) {
    Fault fault = timeline.faults().get(index).fault();
    try {
      active.put(index, fault.inject());
      record(fault, ChaosEvent.Kind.INJECTED, note);
    } catch (RuntimeException e) {
      record(fault, ChaosEvent.Kind.FAILED, "inject failed: " + describe(e));
    }
  }

  private void revert(int index, String note) {
    Injection injection = active.remove(index);
    if (injection == null) {
      // Its injection failed (already recorded): nothing to undo.
      return;
    }
    Fault fault = timeline.faults().get(index).fault();
    try {
      injection.revert();
      record(fault, ChaosEvent.Kind.REVERTED, note);
    } catch (RuntimeException e) {
      record(fault, ChaosEvent.Kind.FAILED, "revert failed: " + describe(e));
    }
  }

  private void record(Fault fault, ChaosEvent.Kind kind, String message) {
    Duration at = Duration.between(startedAt, clock.instant());
    events.add(new ChaosEvent(at, fault.description(), kind, message));
  }

  private static String describe(RuntimeException e) {
    return e.toString();
  }

  private record Step(int index, boolean revert, String note) {}
}
