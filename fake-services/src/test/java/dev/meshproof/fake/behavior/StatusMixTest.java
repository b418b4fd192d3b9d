package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

class StatusMixTest {
  private static final double ALPHA = 0.001;

  @Test
  void parsesPairsAndBareStatuses() {
    assertThat(StatusMix.parse("500:90, 200:10").spec()).isEqualTo("500:90,200:10");
    assertThat(StatusMix.parse("503").spec()).isEqualTo("503:1");
  }

  @Test
  void rejectsMalformedMixesWithTheExpectedForm() {
    for (String bad : new String[] {"", "500:abc", "abc", "99:1", "600:1", "500:-1", "500:0"}) {
      assertThatThrownBy(() -> StatusMix.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(StatusMix.EXPECTED);
    }
  }

  @Test
  void drawsFollowTheWeightsByChiSquareAtAlpha0001() {
    // Pearson chi-square goodness of fit, 20,000 seeded draws, H0: draws follow the weights.
    StatusMix mix = StatusMix.parse("500:70,503:20,200:10");
    SplittableRandom random = new SplittableRandom(42);
    long[] observed = new long[3];
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      int s = mix.pick(random);
      observed[s == 500 ? 0 : s == 503 ? 1 : 2]++;
    }
    double[] expected = {0.7 * n, 0.2 * n, 0.1 * n};
    assertThat(ChiSquareTest.withDefaults().test(expected, observed).reject(ALPHA)).isFalse();
  }

  @Test
  void sameSeedReplaysTheSameStatuses() {
    StatusMix mix = StatusMix.parse("500:50,200:50");
    SplittableRandom a = new SplittableRandom(7);
    SplittableRandom b = new SplittableRandom(7);
    for (int i = 0; i < 1_000; i++) {
      assertThat(mix.pick(a)).isEqualTo(mix.pick(b));
    }
  }
}
