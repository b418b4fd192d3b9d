package dev.meshproof.runtime.policy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Envoy's locality-weighted pick: weight times availability (overprovisioning 1.4). */
class LocalityWeightsTest {
  private static final int F = PriorityLoad.DEFAULT_OVERPROVISIONING_FACTOR;

  @Test
  void availabilityScalesTheWeightOnlyBelowOneOverOnePointFour() {
    assertThat(LocalityWeights.effective(new int[] {80, 20}, new int[] {5, 1}, new int[] {7, 2}, F))
        .containsExactly(80.0, 20 * 0.7);
    assertThat(LocalityWeights.effective(new int[] {80}, new int[] {0}, new int[] {1}, F))
        .containsExactly(0.0);
    assertThat(LocalityWeights.pick(new double[] {0, 0}, RandomSource.seeded(1))).isEqualTo(-1);
  }

  @Property
  void theDrawLandsInItsLocalitysShareAndNeverOnAZeroWeight(
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 100) Integer> weights,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double draw) {
    double[] effective = weights.stream().mapToDouble(Integer::doubleValue).toArray();
    double sum = weights.stream().mapToInt(Integer::intValue).sum();
    int picked = LocalityWeights.pick(effective, RandomSource.pinned(0, draw));
    if (sum == 0) {
      assertThat(picked).isEqualTo(-1);
      return;
    }
    assertThat(effective[picked]).isPositive();
    double before = 0;
    for (int i = 0; i < picked; i++) {
      before += effective[i];
    }
    assertThat(draw * sum).isGreaterThanOrEqualTo(before);
    assertThat(draw * sum).isLessThanOrEqualTo(before + effective[picked]);
  }
}
