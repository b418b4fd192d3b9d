package dev.meshproof.runtime.policy.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.common.RandomSource;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WeightedClusterPickerTest {

  /** A source that returns a fixed draw, to pin the boundaries of each weight bucket. */
  private static RandomSource fixed(long draw) {
    return RandomSource.pinned(draw, 0);
  }

  private static final List<WeightedCluster> NINETY_TEN =
      List.of(new WeightedCluster("v1", 90), new WeightedCluster("v2", 10));

  @Test
  void drawsBelowTheFirstWeightPickTheFirstCluster() {
    assertThat(WeightedClusterPicker.pick(NINETY_TEN, fixed(0)).name()).isEqualTo("v1");
    assertThat(WeightedClusterPicker.pick(NINETY_TEN, fixed(89)).name()).isEqualTo("v1");
  }

  @Test
  void drawsFromTheFirstWeightOnPickTheSecondCluster() {
    assertThat(WeightedClusterPicker.pick(NINETY_TEN, fixed(90)).name()).isEqualTo("v2");
    assertThat(WeightedClusterPicker.pick(NINETY_TEN, fixed(99)).name()).isEqualTo("v2");
  }

  @Test
  void theSameSeedGivesTheSameSequence() {
    RandomSource a = RandomSource.seeded(42);
    RandomSource b = RandomSource.seeded(42);
    for (int i = 0; i < 1000; i++) {
      assertThat(WeightedClusterPicker.pick(NINETY_TEN, a))
          .isEqualTo(WeightedClusterPicker.pick(NINETY_TEN, b));
    }
  }

  @Property
  void aZeroWeightClusterIsNeverPicked(@ForAll @LongRange(min = 0, max = 99) long draw) {
    List<WeightedCluster> clusters =
        List.of(new WeightedCluster("v1", 100), new WeightedCluster("v2", 0));
    assertThat(WeightedClusterPicker.pick(clusters, fixed(draw)).name()).isEqualTo("v1");
  }
}
