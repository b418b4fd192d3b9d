package dev.meshproof.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RandomSourceTest {

  @Test
  void oneSeedGivesOneSequenceAndForksAreIndependentOfEachOther() {
    RandomSource a = RandomSource.seeded(7);
    RandomSource b = RandomSource.seeded(7);
    for (int i = 0; i < 100; i++) {
      assertThat(a.nextLong(1000)).isEqualTo(b.nextLong(1000));
    }
    RandomSource forkX = RandomSource.seeded(7).fork("x");
    RandomSource forkXAgain = RandomSource.seeded(7).fork("x");
    RandomSource forkY = RandomSource.seeded(7).fork("y");
    long x = forkX.nextLong(Long.MAX_VALUE);
    assertThat(forkXAgain.nextLong(Long.MAX_VALUE)).isEqualTo(x);
    assertThat(forkY.nextLong(Long.MAX_VALUE)).isNotEqualTo(x);
  }

  @Test
  void aRequestsSourceDependsOnTheSeedAndItsKeyOnlyNotOnEarlierDraws() {
    RandomSource fresh = RandomSource.seeded(7);
    RandomSource used = RandomSource.seeded(7);
    for (int i = 0; i < 1000; i++) {
      used.nextLong(10);
      used.forRequest("other-" + i).nextDouble();
    }
    long expected = fresh.forRequest("req-42").nextLong(Long.MAX_VALUE);
    assertThat(used.forRequest("req-42").nextLong(Long.MAX_VALUE)).isEqualTo(expected);
    assertThat(RandomSource.seeded(8).forRequest("req-42").nextLong(Long.MAX_VALUE))
        .isNotEqualTo(expected);
    assertThat(fresh.forRequest("req-43").nextLong(Long.MAX_VALUE)).isNotEqualTo(expected);
  }

  @Test
  void requestKeysWithEqualStringHashCodesGetDifferentStreams() {
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    assertThat("AaAa".hashCode()).isEqualTo("BBBB".hashCode());
    RandomSource seeded = RandomSource.seeded(1);
    assertThat(seeded.forRequest("Aa").nextLong(Long.MAX_VALUE))
        .isNotEqualTo(seeded.forRequest("BB").nextLong(Long.MAX_VALUE));
    assertThat(seeded.forRequest("AaAa").nextLong(Long.MAX_VALUE))
        .isNotEqualTo(seeded.forRequest("BBBB").nextLong(Long.MAX_VALUE));
  }

  @Test
  void drawRunsSeveralDrawsOnTheSameStreamAsSingleDraws() {
    RandomSource single = RandomSource.seeded(3);
    RandomSource grouped = RandomSource.seeded(3);
    long first = single.nextLong(10);
    double second = single.nextDouble();
    assertThat((long) grouped.draw(r -> r.nextLong(10))).isEqualTo(first);
    assertThat((double) grouped.draw(r -> r.nextDouble())).isEqualTo(second);
  }

  @Test
  void pinnedSourceReturnsItsDrawsForBoundaryTests() {
    RandomSource pinned = RandomSource.pinned(89, 0.25);
    assertThat(pinned.nextLong(100)).isEqualTo(89);
    assertThat(pinned.nextLong(10)).isEqualTo(9);
    assertThat(pinned.nextDouble()).isEqualTo(0.25);
    assertThat((double) pinned.draw(r -> r.nextDouble())).isEqualTo(0.25);
    assertThatThrownBy(() -> RandomSource.pinned(0, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected");
  }
}
