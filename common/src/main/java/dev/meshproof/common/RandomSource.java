package dev.meshproof.common;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The only source of randomness in Meshproof: mesh decisions (weighted cluster pick, random and
 * least-request load balancing, fault and mirror percentages), fake-service behaviour (error mixes,
 * latency samples) and chaos (network jitter) all draw from a source forked from the scenario seed.
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
   * Runs {@code draws} with exclusive use of the generator, so that the several draws one decision
   * needs (a fault, then a status, then a latency) cannot interleave with another thread's.
   */
  <T> T draw(Function<RandomGenerator, T> draws);

  /**
   * Returns an independent source derived from this one and {@code salt}, so that each proxy gets
   * its own stream and adding a proxy does not shift the draws of the others.
   */
  RandomSource fork(String salt);

  /**
   * Returns the source of one request's decisions, keyed by the request's own identity (its {@code
   * x-request-id}, or a fake service's request id and attempt): the draws depend only on this
   * source's seed and {@code key}, never on how many other requests drew before, so a run replays
   * exactly at any concurrency. Unlike {@link #fork(String)} (kept as it is so old seeds replay),
   * every character of {@code key} is mixed into a 64-bit hash, so two distinct ids collide with
   * probability about 2<sup>-64</sup>, not {@link String#hashCode()}'s 2<sup>-32</sup>; it is cheap
   * enough to call once per request.
   */
  RandomSource forRequest(String key);

  /** A thread-safe source seeded with {@code seed}. */
  static RandomSource seeded(long seed) {
    return new SeededRandomSource(seed);
  }

  /**
   * A source that always draws {@code longDraw} (reduced modulo the bound) and {@code doubleDraw},
   * for boundary tests of policy code: a weight bucket's edges, an exact backoff, a percentage hit.
   */
  static RandomSource pinned(long longDraw, double doubleDraw) {
    if (longDraw < 0 || doubleDraw < 0 || doubleDraw >= 1) {
      throw new IllegalArgumentException(
          "pinned draws: " + longDraw + ", " + doubleDraw + " (expected: >= 0 and [0, 1))");
    }
    return new PinnedRandomSource(longDraw, doubleDraw);
  }

  /** See {@link #pinned(long, double)}. */
  final class PinnedRandomSource implements RandomSource, RandomGenerator {
    private final long longDraw;
    private final double doubleDraw;

    private PinnedRandomSource(long longDraw, double doubleDraw) {
      this.longDraw = longDraw;
      this.doubleDraw = doubleDraw;
    }

    @Override
    public long nextLong() {
      return longDraw;
    }

    @Override
    public long nextLong(long bound) {
      if (bound <= 0) {
        throw new IllegalArgumentException("bound: " + bound + " (expected: > 0)");
      }
      return longDraw % bound;
    }

    @Override
    public double nextDouble() {
      return doubleDraw;
    }

    @Override
    public <T> T draw(Function<RandomGenerator, T> draws) {
      return draws.apply(this);
    }

    @Override
    public RandomSource fork(String salt) {
      return this;
    }

    @Override
    public RandomSource forRequest(String key) {
      return this;
    }

    @Override
    public String toString() {
      return "RandomSource(pinned " + longDraw + ", " + doubleDraw + ")";
    }
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
    public synchronized <T> T draw(Function<RandomGenerator, T> draws) {
      return draws.apply(random);
    }

    @Override
    public RandomSource fork(String salt) {
      // A stable mix of the seed and the salt; String.hashCode is specified, so this is portable.
      long mixed = seed * 0x9E3779B97F4A7C15L + salt.hashCode();
      return new SeededRandomSource(new SplittableRandom(mixed).nextLong());
    }

    @Override
    public RandomSource forRequest(String key) {
      long hash = mix64(seed ^ 0x6A09E667F3BCC909L);
      for (int i = 0; i < key.length(); i++) {
        hash = mix64((hash ^ key.charAt(i)) * 0x9E3779B97F4A7C15L);
      }
      return new SeededRandomSource(mix64(hash ^ key.length()));
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    private static long mix64(long z) {
      z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
      z = (z ^ (z >>> 33)) * 0xC4CEB93FE1A85EC5L;
      return z ^ (z >>> 33);
    }

    @Override
    public String toString() {
      return "RandomSource(seed=" + seed + ")";
    }
  }
}
