package dev.meshproof.fake.behavior;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static final double ALPHA = 0.001;
  private static final int N = 20_000;
  private static final int BINS = 10;

  /**
   * Pearson chi-square over 10 equiprobable bins of the standardised sample: H0 is that {@code
   * toUniform} maps samples onto a uniform [0,1).
   */
  private static boolean fitsAtAlpha(Latency latency, ToDoubleFunction<Duration> toUniform) {
    SplittableRandom random = new SplittableRandom(2024);
    long[] observed = new long[BINS];
    for (int i = 0; i < N; i++) {
      double u = toUniform.applyAsDouble(latency.sample(random));
      observed[Math.min(BINS - 1, (int) (u * BINS))]++;
    }
    double[] expected = new double[BINS];
    java.util.Arrays.fill(expected, (double) N / BINS);
    return !ChiSquareTest.withDefaults().test(expected, observed).reject(ALPHA);
  }

  @Test
  void uniformSamplesAreUniformOverTheRange() {
    Latency l = new Latency.Uniform(Duration.ofMillis(100), Duration.ofMillis(300));
    assertThat(fitsAtAlpha(l, d -> (d.toNanos() - 100e6) / 200e6)).isTrue();
  }

  @Test
  void normalSamplesFollowTheNormalCdf() {
    // Mean far from zero so truncation at 0 has negligible mass (z = -10).
    NormalDistribution cdf = NormalDistribution.of(500e6, 50e6);
    Latency l = new Latency.Normal(Duration.ofMillis(500), Duration.ofMillis(50));
    assertThat(fitsAtAlpha(l, d -> cdf.cumulativeProbability(d.toNanos()))).isTrue();
  }

  @Test
  void logNormalSamplesFollowTheLogNormalCdf() {
    NormalDistribution std = NormalDistribution.of(0, 1);
    Latency l = new Latency.LogNormal(Duration.ofMillis(20), 0.8);
    assertThat(fitsAtAlpha(l, d -> std.cumulativeProbability(Math.log(d.toNanos() / 20e6) / 0.8)))
        .isTrue();
  }

  @Test
  void fixedIsExactAndValidationNamesTheField() {
    assertThat(new Latency.Fixed(Duration.ofMillis(5)).sample(new SplittableRandom(1)))
        .isEqualTo(Duration.ofMillis(5));
    assertThatThrownBy(() -> new Latency.Uniform(Duration.ofMillis(5), Duration.ofMillis(1)))
        .hasMessageStartingWith("max:");
    assertThatThrownBy(() -> new Latency.LogNormal(Duration.ZERO, 1))
        .hasMessageStartingWith("median:");
    assertThatThrownBy(() -> new Latency.LogNormal(Duration.ofMillis(1), 9))
        .hasMessageStartingWith("sigma:");
  }
}
