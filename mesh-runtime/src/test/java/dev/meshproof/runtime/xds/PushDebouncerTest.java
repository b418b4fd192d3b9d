package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.meshproof.common.VirtualClock;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** istiod's debounce on a virtual clock: quiet period, max wait, flush, failures. */
class PushDebouncerTest {
  private static final PushDebounce DEBOUNCE =
      new PushDebounce(Duration.ofMillis(100), Duration.ofMillis(1000));

  private final VirtualClock time = new VirtualClock();
  private final AtomicInteger pushed = new AtomicInteger();
  private final PushDebouncer debouncer =
      new PushDebouncer(DEBOUNCE, time.clock(), time.scheduler(), pushed::incrementAndGet);

  @Test
  void aChangeIsPushedOnceTheQuietPeriodHasPassed() {
    debouncer.changed();

    time.advance(Duration.ofMillis(99));
    assertThat(pushed).hasValue(0);
    time.advance(Duration.ofMillis(1));
    assertThat(pushed).hasValue(1);
  }

  @Test
  void changesWithinTheQuietPeriodAreMergedIntoOnePush() {
    debouncer.changed();
    time.advance(Duration.ofMillis(60));
    debouncer.changed();
    time.advance(Duration.ofMillis(60));
    debouncer.changed();

    time.advance(Duration.ofMillis(99));
    assertThat(pushed).hasValue(0);
    time.advance(Duration.ofMillis(1));
    assertThat(pushed).hasValue(1);
    assertThat(debouncer.mergedChanges()).isEqualTo(2);
    assertThat(pushes(Duration.ofSeconds(5))).isEqualTo(1);
  }

  @Test
  void aStreamOfChangesIsPushedAtTheMaxWait() {
    for (int i = 0; i < 19; i++) {
      debouncer.changed();
      time.advance(Duration.ofMillis(50));
    }
    // 950 ms after the first change, still merging.
    assertThat(pushed).hasValue(0);
    debouncer.changed();
    time.advance(Duration.ofMillis(49));
    assertThat(pushed).hasValue(0);
    time.advance(Duration.ofMillis(1));
    assertThat(pushed).hasValue(1);
  }

  @Test
  void flushPushesAPendingChangeAtOnceAndOnlyOnce() {
    debouncer.flush();
    assertThat(pushed).hasValue(0);

    debouncer.changed();
    debouncer.flush();
    assertThat(pushed).hasValue(1);
    time.advance(Duration.ofSeconds(5));
    assertThat(pushed).hasValue(1);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void flushWaitsForAScheduledPushAlreadyRunning() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      PushDebouncer real =
          new PushDebouncer(
              new PushDebounce(Duration.ofMillis(1), Duration.ofMillis(1)),
              Clock.systemUTC(),
              scheduler,
              () -> {
                started.countDown();
                awaitUninterruptibly(release);
                finished.set(true);
              });
      real.changed();
      started.await();

      Future<Boolean> flushed =
          caller.submit(
              () -> {
                real.flush();
                return finished.get();
              });
      // While the scheduled push runs, flush() must not return: it would let awaitSynced() see the
      // proxies synced to the previous snapshot.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !flushed.isDone());
      release.countDown();

      assertThat(flushed.get()).as("the push had finished when flush() returned").isTrue();
    } finally {
      release.countDown();
      scheduler.shutdownNow();
      caller.shutdownNow();
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void withoutDebounceEveryChangeIsPushedAtOnce() {
    PushDebouncer none =
        new PushDebouncer(
            PushDebounce.NONE, time.clock(), time.scheduler(), pushed::incrementAndGet);
    none.changed();
    none.changed();
    assertThat(pushed).hasValue(2);
  }

  @Test
  void aFailedScheduledPushIsReportedByTheNextFlush() {
    PushDebouncer failing =
        new PushDebouncer(
            DEBOUNCE,
            time.clock(),
            time.scheduler(),
            () -> {
              throw new IllegalStateException("translation for p is inconsistent");
            });
    failing.changed();
    time.advance(Duration.ofMillis(100));

    assertThatThrownBy(failing::flush)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a debounced push failed: translation for p is inconsistent");
    failing.flush(); // reported once
  }

  @Test
  void debounceSettingsAreChecked() {
    assertThatThrownBy(() -> new PushDebounce(Duration.ofMillis(-1), Duration.ZERO))
        .hasMessage("after: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> new PushDebounce(Duration.ofSeconds(1), Duration.ofMillis(10)))
        .hasMessage("max: PT0.01S (expected: >= after, PT1S)");
  }

  private long pushes(Duration later) {
    time.advance(later);
    return pushed.get();
  }
}
