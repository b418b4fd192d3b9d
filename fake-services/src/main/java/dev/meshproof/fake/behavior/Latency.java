package dev.meshproof.fake.behavior;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The service time a workload adds before answering: fixed, uniform, normal or a log-normal tail,
 * the usual shapes for timeout, outlier-detection and least-request load-balancing scenarios.
 * Samples come from the caller's seeded random, so a run replays from its seed.
 */
public sealed interface Latency {

  /** No added latency. */
  Latency NONE = new Fixed(Duration.ZERO);

  /** Draws one service time (never negative). */
  Duration sample(RandomGenerator random);

  /** Always {@code value}. */
  record Fixed(Duration value) implements Latency {
    /** Checks that the value is non-negative. */
    public Fixed {
      checkNonNegative("value", value);
    }

    @Override
    public Duration sample(RandomGenerator random) {
      return value;
    }
  }

  /** Uniform in [{@code min}, {@code max}]. */
  record Uniform(Duration min, Duration max) implements Latency {
    /** Checks {@code 0 <= min <= max}. */
    public Uniform {
      checkNonNegative("min", min);
      checkNonNegative("max", max);
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "max: " + Durations.format(max) + " (expected: >= min " + Durations.format(min) + ")");
      }
    }

    @Override
    public Duration sample(RandomGenerator random) {
      long span = max.toNanos() - min.toNanos();
      return min.plusNanos(span == 0 ? 0 : random.nextLong(span + 1));
    }
  }

  /** Normal with {@code mean} and {@code stddev}, truncated at zero. */
  record Normal(Duration mean, Duration stddev) implements Latency {
    /** Checks both are non-negative. */
    public Normal {
      checkNonNegative("mean", mean);
      checkNonNegative("stddev", stddev);
    }

    @Override
    public Duration sample(RandomGenerator random) {
      double nanos = mean.toNanos() + stddev.toNanos() * random.nextGaussian();
      return Duration.ofNanos(Math.max(0L, Math.round(nanos)));
    }
  }

  /**
   * Log-normal with the given {@code median} and shape {@code sigma}: most requests near the median
   * and a long tail, the latency shape of a real service under load.
   */
  record LogNormal(Duration median, double sigma) implements Latency {
    /** Checks a positive median and {@code 0 <= sigma <= 5}. */
    public LogNormal {
      Objects.requireNonNull(median, "median");
      if (median.isNegative() || median.isZero()) {
        throw new IllegalArgumentException(
            "median: " + Durations.format(median) + " (expected: > 0)");
      }
      if (!(sigma >= 0 && sigma <= 5)) {
        throw new IllegalArgumentException("sigma: " + sigma + " (expected: 0 to 5)");
      }
    }

    @Override
    public Duration sample(RandomGenerator random) {
      double nanos = median.toNanos() * Math.exp(sigma * random.nextGaussian());
      // Cap at one hour so a far tail draw cannot overflow a long of nanoseconds.
      return Duration.ofNanos(Math.round(Math.min(nanos, 3.6e12)));
    }
  }

  private static void checkNonNegative(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: >= 0)");
    }
  }
}
