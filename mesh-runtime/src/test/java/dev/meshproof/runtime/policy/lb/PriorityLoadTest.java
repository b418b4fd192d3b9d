package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Envoy's per-priority load with the default overprovisioning factor 1.4. */
class PriorityLoadTest {
  private static final int F = PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR;

  @Test
  void aHealthyLocalPriorityTakesEverythingAndAnEjectedOneNothing() {
    assertThat(PriorityLoad.loads(new int[] {1, 1}, new int[] {1, 1}, F)).containsExactly(100, 0);
    assertThat(PriorityLoad.loads(new int[] {0, 1}, new int[] {1, 1}, F)).containsExactly(0, 100);
    // 5 of 7 healthy: 140 * 5 / 7 = 100, still everything.
    assertThat(PriorityLoad.loads(new int[] {5, 3}, new int[] {7, 3}, F)).containsExactly(100, 0);
    // 2 of 3 healthy: health 93, the rest spills to priority 1.
    assertThat(PriorityLoad.loads(new int[] {2, 3}, new int[] {3, 3}, F)).containsExactly(93, 7);
    // Nothing healthy anywhere: no load; the pick falls back to priority 0.
    assertThat(PriorityLoad.loads(new int[] {0, 0}, new int[] {1, 1}, F)).containsExactly(0, 0);
    assertThat(PriorityLoad.pick(new int[] {0, 0}, RandomSource.seeded(1))).isZero();
  }

  @Test
  void thePickFollowsTheCumulativeLoads() {
    assertThat(PriorityLoad.pick(new int[] {93, 7}, RandomSource.pinned(92, 0))).isZero();
    assertThat(PriorityLoad.pick(new int[] {93, 7}, RandomSource.pinned(93, 0))).isEqualTo(1);
    assertThat(PriorityLoad.pick(new int[] {0, 100}, RandomSource.pinned(0, 0))).isEqualTo(1);
  }

  /** A cluster's priorities: per priority (healthy, total) with 1..5 hosts. */
  @Provide
  Arbitrary<List<int[]>> levels() {
    Arbitrary<int[]> level =
        Arbitraries.integers()
            .between(1, 5)
            .flatMap(
                total -> Arbitraries.integers().between(0, total).map(h -> new int[] {h, total}));
    return level.list().ofMinSize(1).ofMaxSize(5);
  }

  private static int[] column(List<int[]> levels, int i) {
    return levels.stream().mapToInt(l -> l[i]).toArray();
  }

  @Property
  void loadsSumToAHundredWheneverAnyHostIsHealthy(@ForAll("levels") List<int[]> levels) {
    int[] loads = PriorityLoad.loads(column(levels, 0), column(levels, 1), F);
    int healthy = Arrays.stream(column(levels, 0)).sum();
    assertThat(Arrays.stream(loads).sum()).isEqualTo(healthy == 0 ? 0 : 100);
    assertThat(Arrays.stream(loads).min().orElse(0)).isGreaterThanOrEqualTo(0);
  }

  @Property
  void failoverNeverReachesALowerPriorityWhileAHigherHasEnoughHealthyHosts(
      @ForAll("levels") List<int[]> levels) {
    int[] healthy = column(levels, 0);
    int[] total = column(levels, 1);
    int[] loads = PriorityLoad.loads(healthy, total, F);
    for (int p = 0; p < loads.length; p++) {
      // Enough: healthy / total >= 1 / 1.4, so its health is 100.
      if ((long) F * healthy[p] >= 100L * total[p]) {
        for (int q = p + 1; q < loads.length; q++) {
          assertThat(loads[q]).as("priority %d below a fully available %d", q, p).isZero();
        }
      }
      // A priority without healthy hosts never gets load.
      if (healthy[p] == 0) {
        assertThat(loads[p]).isZero();
      }
    }
  }

  @Property
  void thePickNeverLandsOnAPriorityWithoutLoad(
      @ForAll("levels") List<int[]> levels, @ForAll long seed) {
    int[] loads = PriorityLoad.loads(column(levels, 0), column(levels, 1), F);
    int picked = PriorityLoad.pick(loads, RandomSource.seeded(seed));
    if (Arrays.stream(loads).sum() > 0) {
      assertThat(loads[picked]).isPositive();
    } else {
      assertThat(picked).isZero();
    }
  }
}
