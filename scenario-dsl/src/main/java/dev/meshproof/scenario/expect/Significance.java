package dev.meshproof.scenario.expect;

/** The significance level every statistical expectation states up front. */
final class Significance {
  /** The default alpha: one false alarm in a thousand runs of a correct mesh. */
  static final double DEFAULT_ALPHA = 0.001;

  private Significance() {}

  /** Returns {@code alpha} if it is a usable significance level, else says what is allowed. */
  static double checkAlpha(double alpha) {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("alpha: " + alpha + " (expected: in (0, 0.5))");
    }
    return alpha;
  }
}
