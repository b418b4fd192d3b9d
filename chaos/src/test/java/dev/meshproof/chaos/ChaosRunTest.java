package dev.meshproof.chaos;

import static dev.meshproof.chaos.ChaosEvent.Kind.FAILED;
import static dev.meshproof.chaos.ChaosEvent.Kind.INJECTED;
import static dev.meshproof.chaos.ChaosEvent.Kind.REVERTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.meshproof.common.VirtualClock;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosRunTest {
  private final VirtualClock time = new VirtualClock();
  private final BehaviorControl reviews = new BehaviorControl(Behavior.defaults());
  private final ServiceFault errors =
      ServiceFault.onTargets(List.of(new ServiceTarget("reviews-v1-0", reviews)))
          .errors(0.3, "503");

  private ChaosRun run(ChaosTimeline timeline) {
    return ChaosRun.of(timeline, time.scheduler(), time.clock());
  }

  @Test
  void injectsAtTheOffsetAndRevertsAfterTheDuration() {
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(5), errors)
            .lasting(Duration.ofSeconds(10))
            .build();
    try (ChaosRun chaos = run(timeline).start()) {
      time.advance(Duration.ofMillis(4_999));
      assertThat(reviews.get().errorRate()).isZero();
      assertThat(chaos.events()).isEmpty();

      time.advance(Duration.ofMillis(1));
      assertThat(reviews.get().errorRate()).isEqualTo(0.3);
      assertThat(chaos.activeFaults()).containsExactly(errors);

      time.advance(Duration.ofMillis(9_999));
      assertThat(reviews.get().errorRate()).isEqualTo(0.3);

      time.advance(Duration.ofMillis(1));
      assertThat(reviews.get()).isEqualTo(Behavior.defaults());
      assertThat(chaos.activeFaults()).isEmpty();
      assertThat(chaos.events())
          .extracting(ChaosEvent::at, ChaosEvent::kind, ChaosEvent::fault)
          .containsExactly(
              tuple(Duration.ofSeconds(5), INJECTED, "service reviews-v1-0: errors 30% 503:1"),
              tuple(Duration.ofSeconds(15), REVERTED, "service reviews-v1-0: errors 30% 503:1"));
    }
  }

  @Test
  void closeRevertsActiveFaultsLatestFirstAndCancelsPendingOnes() {
    List<String> mesh = new ArrayList<>();
    ProxyFault abort = new ProxyFault((yaml, source) -> mesh.add(yaml), "abort", "fault", "clean");
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(1), errors)
            .at(Duration.ofSeconds(2), abort)
            .at(Duration.ofSeconds(60), ServiceFault.onTargets(errors.targets()).notReady())
            .build();
    ChaosRun chaos = run(timeline).start();
    time.advance(Duration.ofSeconds(3));

    chaos.close();

    assertThat(reviews.get()).isEqualTo(Behavior.defaults());
    assertThat(mesh).containsExactly("fault", "clean");
    assertThat(time.pendingTasks()).isZero();
    assertThat(chaos.events())
        .extracting(ChaosEvent::at, ChaosEvent::kind, ChaosEvent::fault)
        .containsExactly(
            tuple(Duration.ofSeconds(1), INJECTED, errors.description()),
            tuple(Duration.ofSeconds(2), INJECTED, "proxy: abort"),
            tuple(Duration.ofSeconds(3), REVERTED, "proxy: abort"),
            tuple(Duration.ofSeconds(3), REVERTED, errors.description()));
    time.advance(Duration.ofMinutes(2));
    assertThat(reviews.get().ready()).isTrue();
  }

  @Test
  void closeIsIdempotentAndRevertsOnlyOnce() {
    List<String> mesh = new ArrayList<>();
    ProxyFault abort = new ProxyFault((yaml, source) -> mesh.add(yaml), "abort", "fault", "clean");
    ChaosRun chaos = run(ChaosTimeline.builder().at(Duration.ZERO, abort).build()).start();
    time.advance(Duration.ZERO);

    chaos.close();
    chaos.close();

    assertThat(mesh).containsExactly("fault", "clean");
  }

  @Test
  void backToBackFaultsNeverOverlap() {
    ServiceFault notReady = ServiceFault.onTargets(errors.targets()).notReady();
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(5), notReady)
            .lasting(Duration.ofSeconds(5))
            .at(Duration.ZERO, errors)
            .lasting(Duration.ofSeconds(5))
            .build();
    try (ChaosRun chaos = run(timeline).start()) {
      time.advance(Duration.ofSeconds(5));

      assertThat(reviews.get().errorRate()).isZero();
      assertThat(reviews.get().ready()).isFalse();
      assertThat(chaos.events())
          .extracting(ChaosEvent::kind, ChaosEvent::fault)
          .containsExactly(
              tuple(INJECTED, errors.description()),
              tuple(REVERTED, errors.description()),
              tuple(INJECTED, notReady.description()));
    }
    assertThat(reviews.get()).isEqualTo(Behavior.defaults());
  }

  @Test
  void failedInjectionIsRecordedAndNotReverted() {
    InstanceHandle broken =
        InstanceHandle.of(
            "ratings-v1-0",
            () -> {
              throw new IllegalStateException("no such pod");
            },
            () -> {});
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ofSeconds(1), InstanceFault.stop(broken))
            .lasting(Duration.ofSeconds(1))
            .build();
    try (ChaosRun chaos = run(timeline).start()) {
      time.advance(Duration.ofSeconds(5));

      assertThat(chaos.events())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.kind()).isEqualTo(FAILED);
                assertThat(e.message()).startsWith("inject failed:").contains("no such pod");
              });
    }
  }

  @Test
  void failedRevertIsRecordedAndOtherFaultsAreStillReverted() {
    List<String> log = new ArrayList<>();
    InstanceHandle killed = InstanceHandle.killing("ratings-v1-0", () -> log.add("closed"));
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .at(Duration.ZERO, errors)
            .at(Duration.ZERO, InstanceFault.stop(killed))
            .build();
    ChaosRun chaos = run(timeline).start();
    time.advance(Duration.ZERO);

    chaos.close();

    assertThat(log).containsExactly("closed");
    assertThat(reviews.get()).isEqualTo(Behavior.defaults());
    assertThat(chaos.events())
        .extracting(ChaosEvent::kind)
        .containsExactly(INJECTED, INJECTED, FAILED, REVERTED);
    assertThat(chaos.events().get(2).message()).contains("killed for good");
  }

  @Test
  void startTwiceOrAfterCloseIsAnError() {
    ChaosRun chaos = run(ChaosTimeline.none()).start();
    assertThatThrownBy(chaos::start).isInstanceOf(IllegalStateException.class);
    chaos.close();
    assertThatThrownBy(chaos::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void emptyTimelineSchedulesNothing() {
    try (ChaosRun chaos = run(ChaosTimeline.none()).start()) {
      assertThat(time.pendingTasks()).isZero();
      assertThat(chaos.events()).isEmpty();
    }
  }

  @Test
  void aFaultAfterNRequestsStartsWhenTheNthCompletesItsOffsetCountingFromThen() {
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .after(new ChaosTrigger.Requests(3), Duration.ofSeconds(1), errors)
            .lasting(Duration.ofSeconds(2))
            .build();
    try (ChaosRun chaos = run(timeline).start()) {
      time.advance(Duration.ofSeconds(10));
      chaos.requestCompleted();
      chaos.requestCompleted();
      time.advance(Duration.ofSeconds(10));
      assertThat(chaos.events()).isEmpty();

      chaos.requestCompleted();
      chaos.requestCompleted(); // more requests do not fire it twice
      time.advance(Duration.ofMillis(999));
      assertThat(reviews.get().errorRate()).isZero();
      time.advance(Duration.ofMillis(1));
      assertThat(reviews.get().errorRate()).isEqualTo(0.3);
      time.advance(Duration.ofSeconds(2));

      assertThat(chaos.events())
          .extracting(ChaosEvent::at, ChaosEvent::kind, ChaosEvent::message)
          .containsExactly(
              tuple(Duration.ofSeconds(21), INJECTED, "after 3 requests"),
              tuple(Duration.ofSeconds(23), REVERTED, ""));
    }
  }

  @Test
  void aFaultOnAConditionStartsAtTheFirstPollThatSeesItHold() {
    boolean[] ready = {true};
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .after(
                new ChaosTrigger.Condition(
                    "reviews turned not ready", () -> !ready[0], Duration.ofMillis(100)),
                Duration.ZERO,
                errors)
            .build();
    try (ChaosRun chaos = run(timeline).start()) {
      time.advance(Duration.ofMillis(1_050));
      assertThat(chaos.events()).isEmpty();
      ready[0] = false;
      time.advance(Duration.ofMillis(50));
      assertThat(chaos.events())
          .extracting(ChaosEvent::at, ChaosEvent::kind, ChaosEvent::message)
          .containsExactly(tuple(Duration.ofMillis(1_100), INJECTED, "reviews turned not ready"));
      ready[0] = true;
      time.advance(Duration.ofSeconds(1));
      assertThat(chaos.events()).hasSize(1);
    }
  }

  @Test
  void aTriggerThatNeverHappenedIsRecordedAsFailedWhenTheRunCloses() {
    ChaosTimeline timeline =
        ChaosTimeline.builder()
            .after(new ChaosTrigger.Requests(500), Duration.ZERO, errors)
            .build();
    ChaosRun chaos = run(timeline).start();
    chaos.requestCompleted();
    time.advance(Duration.ofSeconds(3));
    chaos.close();

    assertThat(reviews.get()).isEqualTo(Behavior.defaults());
    assertThat(chaos.events())
        .extracting(ChaosEvent::at, ChaosEvent::kind, ChaosEvent::message)
        .containsExactly(
            tuple(
                Duration.ofSeconds(3),
                FAILED,
                "not injected: after 500 requests did not happen before the run ended"));
  }

  @Test
  void aTriggerNeedsAPositiveCountAndAProbeAPositivePeriod() {
    assertThatThrownBy(() -> new ChaosTrigger.Requests(0))
        .hasMessage("requests: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new ChaosTrigger.Condition("x", () -> true, Duration.ZERO))
        .hasMessage("pollEvery: PT0S (expected: > 0)");
  }

  /**
   * A fault in progress holds the run while it waits for work on another thread (an instance's
   * restart binds on the event loop), and that thread reports completed requests: reporting must
   * not wait for the run, or neither ever finishes (seen as a hung chaos-drain catalogue run).
   */
  @Test
  void aRequestReportedWhileAFaultWaitsForTheReportingThreadDoesNotDeadlock() throws Exception {
    java.util.concurrent.ExecutorService eventLoop =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    ChaosRun[] run = new ChaosRun[1];
    InstanceFault stop =
        InstanceFault.stop(
            InstanceHandle.of(
                "catalog-v1-0",
                () -> {
                  // The stop needs the event loop, which first reports a completed request.
                  try {
                    eventLoop
                        .submit(() -> run[0].requestCompleted())
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException("the event loop was blocked by the run", e);
                  }
                },
                () -> {}));
    try {
      run[0] =
          ChaosRun.of(
              ChaosTimeline.builder().at(Duration.ZERO, stop).build(),
              scheduler,
              java.time.Clock.systemUTC());
      run[0].start();
      assertThat(run[0].events())
          .extracting(ChaosEvent::kind)
          .containsExactly(ChaosEvent.Kind.INJECTED);
      run[0].close();
    } finally {
      eventLoop.shutdownNow();
      scheduler.shutdownNow();
    }
  }
}
