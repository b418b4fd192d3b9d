package dev.meshproof.runtime.policy.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration BASE = Duration.ofSeconds(1);

  private final VirtualClock time = new VirtualClock();

  private static OutlierDetectionPolicy policy(int consecutive5xx, int maxEjectionPercent) {
    return new OutlierDetectionPolicy(
        consecutive5xx,
        100,
        0,
        0,
        false,
        5,
        100,
        INTERVAL,
        BASE,
        Duration.ofSeconds(300),
        maxEjectionPercent,
        false);
  }

  private OutlierDetector<String> detector(OutlierDetectionPolicy policy, String... hosts) {
    OutlierDetector<String> d = new OutlierDetector<>(policy, time.clock(), RandomSource.seeded(1));
    d.setHosts(List.of(hosts));
    return d;
  }

  private void tick(OutlierDetector<String> d, Duration by) {
    for (long i = 0; i < by.toMillis() / INTERVAL.toMillis(); i++) {
      time.advance(INTERVAL);
      d.onInterval();
    }
  }

  @Test
  void consecutive5xxEjectAtOnceAndASuccessResetsTheCount() {
    OutlierDetector<String> d = detector(policy(3, 100), "a", "b", "c");
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    d.recordResult("a", new AttemptResult.HttpStatus(200));
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    d.recordResult("a", new AttemptResult.HttpStatus(503));
    assertThat(d.isEjected("a")).isFalse();
    assertThat(d.recordResult("a", new AttemptResult.HttpStatus(500)))
        .contains(OutlierDetector.EjectionType.CONSECUTIVE_5XX);
    assertThat(d.isEjected("a")).isTrue();
    assertThat(d.stats().ejectionsEnforcedTotal()).isEqualTo(1);
  }

  @Test
  void anEjectionLastsBaseTimesEjectionsAndEndsOnlyAtAnIntervalTick() {
    OutlierDetector<String> d = detector(policy(1, 100), "a", "b", "c");
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    tick(d, BASE.minus(INTERVAL));
    assertThat(d.isEjected("a")).isTrue();
    time.advance(INTERVAL.minusMillis(1));
    assertThat(d.isEjected("a")).isTrue();
    time.advance(Duration.ofMillis(1));
    assertThat(d.isEjected("a")).as("returns only when the interval timer runs").isTrue();
    d.onInterval();
    assertThat(d.isEjected("a")).isFalse();
    // Second ejection right away: backoff 2, so 2 s.
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    assertThat(d.ejectionTimeFor("a")).isEqualTo(Duration.ofSeconds(2));
    tick(d, Duration.ofMillis(1900));
    assertThat(d.isEjected("a")).isTrue();
    tick(d, INTERVAL);
    assertThat(d.isEjected("a")).isFalse();
    // Healthy intervals after the return lower the backoff again: 2 -> 0 after two ticks.
    tick(d, INTERVAL.multipliedBy(2));
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    assertThat(d.ejectionTimeFor("a")).isEqualTo(BASE);
  }

  @Test
  void theEjectionTimeIsCappedByMaxEjectionTime() {
    OutlierDetector<String> d =
        detector(
            new OutlierDetectionPolicy(
                1, 100, 0, 0, false, 5, 100, INTERVAL, BASE, Duration.ofMillis(1500), 100, false),
            "a");
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    tick(d, BASE);
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    assertThat(d.ejectionTimeFor("a")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void theCapForbidsEjectingOneOfThreeAtEnvoysDefaultTenPercent() {
    OutlierDetector<String> d = detector(policy(1, 10), "a", "b", "c");
    assertThat(d.recordResult("a", new AttemptResult.HttpStatus(500))).isEmpty();
    assertThat(d.isEjected("a")).isFalse();
    assertThat(d.stats().ejectionsOverflow()).isEqualTo(1);
    // 1/3 = 33.3% <= 34%.
    OutlierDetector<String> allowed = detector(policy(1, 34), "a", "b", "c");
    assertThat(allowed.recordResult("a", new AttemptResult.HttpStatus(500))).isPresent();
    assertThat(allowed.recordResult("b", new AttemptResult.HttpStatus(500))).isEmpty();
  }

  @Test
  void localOriginFailuresCountAs5xxUnlessSplit() {
    OutlierDetector<String> d = detector(policy(2, 100), "a", "b");
    d.recordResult("a", new AttemptResult.ConnectFailed());
    d.recordResult("a", new AttemptResult.Timeout());
    assertThat(d.isEjected("a")).isTrue();
    OutlierDetector<String> split =
        detector(
            new OutlierDetectionPolicy(
                2, 100, 0, 0, true, 2, 100, INTERVAL, BASE, Duration.ofSeconds(300), 100, false),
            "a",
            "b");
    split.recordResult("a", new AttemptResult.ConnectFailed());
    split.recordResult("a", new AttemptResult.HttpStatus(200));
    split.recordResult("a", new AttemptResult.ConnectFailed());
    assertThat(split.isEjected("a")).isFalse();
    assertThat(split.recordResult("a", new AttemptResult.Timeout()))
        .contains(OutlierDetector.EjectionType.CONSECUTIVE_LOCAL_ORIGIN_FAILURE);
  }

  @Test
  void gatewayFailuresEjectWhenEnforced() {
    OutlierDetector<String> d =
        detector(
            new OutlierDetectionPolicy(
                0, 0, 2, 100, false, 5, 100, INTERVAL, BASE, Duration.ofSeconds(300), 100, false),
            "a",
            "b");
    d.recordResult("a", new AttemptResult.HttpStatus(502));
    d.recordResult("a", new AttemptResult.HttpStatus(500));
    d.recordResult("a", new AttemptResult.HttpStatus(504));
    assertThat(d.isEjected("a")).isFalse();
    assertThat(d.recordResult("a", new AttemptResult.HttpStatus(503)))
        .contains(OutlierDetector.EjectionType.CONSECUTIVE_GATEWAY_FAILURE);
  }

  /** The ejected fraction never exceeds the cap (without always_eject_one_host). */
  @Property(tries = 200)
  void theEjectedFractionNeverExceedsTheCap(
      @ForAll @IntRange(min = 1, max = 8) int hostCount,
      @ForAll @IntRange(min = 0, max = 100) int maxEjectionPercent,
      @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 19) Integer> events) {
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < hostCount; i++) {
      hosts.add("h" + i);
    }
    OutlierDetector<String> d =
        detector(policy(1, maxEjectionPercent), hosts.toArray(String[]::new));
    for (int event : events) {
      if (event >= 16) {
        tick(d, Duration.ofMillis(300));
      } else {
        String host = hosts.get(event % hostCount);
        d.recordResult(host, new AttemptResult.HttpStatus(event < 8 ? 500 : 200));
      }
      long ejected = hosts.stream().filter(d::isEjected).count();
      assertThat(100.0 * ejected / hostCount).isLessThanOrEqualTo(maxEjectionPercent);
      assertThat(d.stats().ejectionsActive()).isEqualTo(ejected);
    }
  }

  /** No ejected host is a candidate outside panic; in panic every host is. */
  @Property(tries = 300)
  void noEjectedHostIsPickedOutsidePanic(
      @ForAll @Size(min = 1, max = 10) List<Boolean> ejected,
      @ForAll @IntRange(min = 0, max = 100) int threshold) {
    List<Integer> hosts = new ArrayList<>();
    for (int i = 0; i < ejected.size(); i++) {
      hosts.add(i);
    }
    List<Integer> candidates = HostSelection.candidates(hosts, ejected::get, threshold);
    long healthy = ejected.stream().filter(e -> !e).count();
    boolean panic = HostSelection.inPanic((int) healthy, hosts.size(), threshold);
    if (panic) {
      assertThat(candidates).isEqualTo(hosts);
    } else {
      assertThat(candidates).noneMatch(ejected::get).hasSize((int) healthy);
    }
    Optional.of(threshold).filter(t -> t == 0).ifPresent(t -> assertThat(panic).isFalse());
  }

  @Test
  void panicFollowsEnvoysHealthyPercentage() {
    assertThat(HostSelection.inPanic(2, 3, 50)).isFalse();
    assertThat(HostSelection.inPanic(1, 3, 50)).isTrue();
    assertThat(HostSelection.inPanic(0, 3, 0)).isFalse();
    assertThat(HostSelection.candidates(List.of(1, 2, 3), h -> true, 0)).isEmpty();
    assertThat(HostSelection.candidates(List.of(1, 2, 3), h -> h > 1, 50)).containsExactly(1, 2, 3);
  }
}
