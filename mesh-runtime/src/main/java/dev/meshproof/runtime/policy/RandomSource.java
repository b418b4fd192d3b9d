package dev.meshproof.runtime.policy;

import java.util.SplittableRandom;

/**
 * The only source of randomness a mesh decision may use (weighted cluster pick, random and
 * least-request load balancing, fault and mirror percentages).
 *
 * <p>Injecting it, instead of calling {@code ThreadLocalRandom}, is what makes a run replayable
 * from its printed seed: with a sequential request stream every draw is a function of the seed.
 */
public interface RandomSource {

  /**
   * Returns a uniformly distributed value in {@code [0, bound)}; {@code bound} must be positive.
   */
  long nextLong(long bound);

  /** Returns a uniformly distributed value in {@code [0, 1)}. */
  double nextDouble();

  /**
   * Returns an independent source derived from this one and {@code salt}, so that each proxy gets
   * its own stream and adding a proxy does not shift the draws of the others.
   */
  RandomSource fork(String salt);

  /** A thread-safe source seeded with {@code seed}. */
  static RandomSource seeded(long seed) {
    return new SeededRandomSource(seed);
  }

  /** {@link SplittableRandom} behind a lock: proxies draw from event-loop threads. */
  final class SeededRandomSource implements RandomSource {
    private final long seed;
    private final SplittableRandom random;

    private SeededRandomSource(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
    }

    @Override
    public synchronized long nextLong(long bound) {
      if (bound <= 0) {
        throw new IllegalArgumentException("bound: " + bound + " (expected: > 0)");
      }
      return random.nextLong(bound);
    }

    @Override
    public synchronized double nextDouble() {
      return random.nextDouble();
    }

    @Override
    public RandomSource fork(String salt) {
      // A stable mix of the seed and the salt; String.hashCode is specified, so this is portable.
      long mixed = seed * 0x9E3779B97F4A7C15L + salt.hashCode();
      return new SeededRandomSource(new SplittableRandom(mixed).nextLong());
    }

    @Override
    public String toString() {
      return "RandomSource(seed=" + seed + ")";
    }
  }
}
