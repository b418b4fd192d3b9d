package dev.meshproof.fake.behavior;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The one source of randomness of a workload, seeded so that a run replays. Draws for one request
 * happen under one lock so that concurrent requests cannot interleave their draws.
 */
public final class SeededRandom {
  private final long seed;
  private final SplittableRandom random;

  /** A source seeded with {@code seed}. */
  public SeededRandom(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  /** The seed this source started from (for evidence). */
  public long seed() {
    return seed;
  }

  /** Runs {@code draws} with exclusive use of the generator. */
  public synchronized <T> T draw(Function<RandomGenerator, T> draws) {
    return draws.apply(random);
  }
}
