package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.meshproof.common.RandomSource;
import dev.meshproof.common.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Envoy's slow start ({@code EdfLoadBalancerBase::applySlowStartFactor} and its EDF scheduler) in
 * our balancer, on a virtual clock: a host added during another's steady state gets its share
 * scaled by the slow-start factor until its window ends.
 */
class SlowStartTest {
  private static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

  /** A host added at a given instant, with a settable in-flight count. */
  private record Host(String name, Instant addedAt, int active) implements LoadBalancedHost {
    @Override
    public int activeRequests() {
      return active;
    }
  }

  private static SlowStart linear(Duration window) {
    return new SlowStart(window, OptionalDouble.of(1.0), OptionalDouble.of(10));
  }

  @Test
  void factorIsEnvoysFormula() {
    SlowStart ten = linear(Duration.ofSeconds(10));
    assertThat(ten.factor(Duration.ZERO)).isEqualTo(0.1); // max(1ms/10s, 10%)
    assertThat(ten.factor(Duration.ofSeconds(5))).isEqualTo(0.5);
    assertThat(ten.factor(Duration.ofMillis(9999))).isEqualTo(0.9999);
    assertThat(ten.factor(Duration.ofSeconds(10))).isEqualTo(1.0);
    assertThat(ten.inWindow(Duration.ofMillis(9999))).isTrue();
    assertThat(ten.inWindow(Duration.ofSeconds(10))).isFalse();
    SlowStart aggressive =
        new SlowStart(Duration.ofSeconds(10), OptionalDouble.of(2.0), OptionalDouble.of(0));
    assertThat(aggressive.factor(Duration.ofMillis(2500))).isCloseTo(0.5, within(1e-12));
    // warmupDurationSecs: Envoy's defaults, linear from 10%.
    SlowStart deprecated = SlowStart.window(Duration.ofSeconds(10));
    assertThat(deprecated.factor(Duration.ofMillis(500))).isEqualTo(0.1);
    assertThat(deprecated.factor(Duration.ofSeconds(4))).isEqualTo(0.4);
  }

  @Property
  void factorStaysBetweenTheMinimumAndOneAndNeverDecreases(
      @ForAll @LongRange(min = 1, max = 3_600_000) long windowMillis,
      @ForAll @DoubleRange(min = 0.01, max = 10) double aggression,
      @ForAll @DoubleRange(min = 0, max = 100) double minimumPercent,
      @ForAll @LongRange(min = 0, max = 4_000_000) long earlierMillis,
      @ForAll @LongRange(min = 0, max = 4_000_000) long laterMillis) {
    SlowStart start =
        new SlowStart(
            Duration.ofMillis(windowMillis),
            OptionalDouble.of(aggression),
            OptionalDouble.of(minimumPercent));
    long a = Math.min(earlierMillis, laterMillis);
    long b = Math.max(earlierMillis, laterMillis);
    double fa = start.factor(Duration.ofMillis(a));
    double fb = start.factor(Duration.ofMillis(b));
    assertThat(fa).isBetween(minimumPercent / 100, 1.0);
    assertThat(fb).isGreaterThanOrEqualTo(fa);
  }

  private static int picksOf(LoadBalancer lb, List<Host> hosts, Host of, int picks) {
    int count = 0;
    for (int i = 0; i < picks; i++) {
      if (lb.pickHost(hosts) == of) {
        count++;
      }
    }
    return count;
  }

  @Test
  void aNewHostGetsItsScaledShareUntilItsWindowEnds() {
    VirtualClock time = new VirtualClock(ORIGIN);
    LoadBalancer lb =
        LoadBalancer.create(
            LbPolicy.ROUND_ROBIN,
            RandomSource.seeded(1),
            java.util.Optional.of(linear(Duration.ofSeconds(100))),
            time.clock());
    Host old = new Host("old", ORIGIN.minus(Duration.ofHours(1)), 0);
    Host fresh = new Host("new", ORIGIN, 0);
    List<Host> hosts = List.of(old, fresh);
    // Weight 0.1 against 1 (10% minimum): 1 pick in 11; EDF is exact to one pick.
    assertThat(picksOf(lb, hosts, fresh, 1100)).isBetween(99, 101);
    // Half-way: factor 0.5 (weights are taken when a host is re-added, so the scheduler is
    // rebuilt by a host-set change here as Envoy's refresh; the share follows the new weight).
    time.advance(Duration.ofSeconds(50));
    Host other = new Host("other", ORIGIN.minus(Duration.ofHours(1)), 0);
    List<Host> three = List.of(old, fresh, other);
    assertThat(picksOf(lb, three, fresh, 2500)).isBetween(499, 501); // 0.5 of 2.5
    // After the window the schedule stays (as Envoy's) with every re-added weight 1: the share
    // is back to a third at once, up to the one stale deadline.
    time.advance(Duration.ofSeconds(50));
    assertThat(picksOf(lb, three, fresh, 3000)).isBetween(998, 1001);
    // A host-set change with no host in its window: plain round robin, strict alternation.
    assertThat(picksOf(lb, hosts, fresh, 1000)).isEqualTo(500);
  }

  @Test
  void hostsAddedTogetherShareEquallyInsideTheirWindow() {
    // The cluster's first hosts are all stamped when first seen, as Envoy's: equal weights.
    VirtualClock time = new VirtualClock(ORIGIN);
    LoadBalancer lb =
        LoadBalancer.create(
            LbPolicy.ROUND_ROBIN,
            RandomSource.seeded(1),
            java.util.Optional.of(linear(Duration.ofSeconds(100))),
            time.clock());
    Host a = new Host("a", ORIGIN, 0);
    Host b = new Host("b", ORIGIN, 0);
    assertThat(picksOf(lb, List.of(a, b), a, 1000)).isEqualTo(500);
  }

  @Test
  void leastRequestDividesTheWarmingWeightByActiveRequests() {
    VirtualClock time = new VirtualClock(ORIGIN);
    LoadBalancer lb =
        LoadBalancer.create(
            LbPolicy.LEAST_REQUEST,
            RandomSource.seeded(1),
            java.util.Optional.of(linear(Duration.ofSeconds(100))),
            time.clock());
    // Old host with 1 in flight: 1/2; new host idle: 0.1. New gets 0.1 / 0.6 of the picks.
    Host old = new Host("old", ORIGIN.minus(Duration.ofHours(1)), 1);
    Host fresh = new Host("new", ORIGIN, 0);
    assertThat(picksOf(lb, List.of(old, fresh), fresh, 600)).isBetween(99, 101);
  }

  @Test
  void randomAndSingleHostsAreUntouched() {
    VirtualClock time = new VirtualClock(ORIGIN);
    LoadBalancer random =
        LoadBalancer.create(
            LbPolicy.RANDOM,
            RandomSource.seeded(1),
            java.util.Optional.of(linear(Duration.ofSeconds(100))),
            time.clock());
    assertThat(random.slowStart()).isEmpty();
    LoadBalancer rr =
        LoadBalancer.create(
            LbPolicy.ROUND_ROBIN,
            RandomSource.seeded(1),
            java.util.Optional.of(linear(Duration.ofSeconds(100))),
            time.clock());
    Host only = new Host("only", ORIGIN, 0);
    assertThat(picksOf(rr, List.of(only), only, 10)).isEqualTo(10);
  }
}
