package dev.meshproof.scenario.stats;

import java.util.Locale;
import java.util.Map;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Pearson's chi-square tests over Apache Commons Statistics, the one place Meshproof computes them:
 * goodness of fit (does a weighted route or load balancer split traffic as configured?) and
 * homogeneity (do two targets split the same configuration alike?). The p-values come from Commons
 * Statistics, never from a hand-rolled distribution.
 */
public final class ChiSquare {
  private ChiSquare() {}

  /**
   * Goodness of fit of {@code observed} counts to {@code expected} counts (same length, at least
   * two categories, every expected count positive); {@code k - 1} degrees of freedom.
   */
  public static Result goodnessOfFit(double[] expected, long[] observed) {
    if (expected.length != observed.length || expected.length < 2) {
      throw new IllegalArgumentException(
          "categories: "
              + expected.length
              + " expected, "
              + observed.length
              + " observed (expected: the same number, at least 2)");
    }
    return new Result(ChiSquareTest.withDefaults().test(expected, observed), expected.length - 1);
  }

  /**
   * Homogeneity of the rows of a contingency table (one row per sample, one column per category, no
   * all-zero row or column); {@code (rows - 1) * (columns - 1)} degrees of freedom.
   */
  public static Result homogeneity(long[][] counts) {
    if (counts.length < 2 || counts[0].length < 2) {
      throw new IllegalArgumentException(
          "counts: "
              + counts.length
              + " x "
              + (counts.length == 0 ? 0 : counts[0].length)
              + " (expected: at least 2 x 2)");
    }
    return new Result(
        ChiSquareTest.withDefaults().test(counts), (counts.length - 1) * (counts[0].length - 1));
  }

  /** One test's outcome: statistic, degrees of freedom and p-value. */
  public static final class Result {
    private final SignificanceResult test;
    private final int degreesOfFreedom;

    private Result(SignificanceResult test, int degreesOfFreedom) {
      this.test = test;
      this.degreesOfFreedom = degreesOfFreedom;
    }

    /** Pearson's chi-square statistic. */
    public double statistic() {
      return test.getStatistic();
    }

    /** Degrees of freedom of the reference chi-square distribution. */
    public int degreesOfFreedom() {
      return degreesOfFreedom;
    }

    /** The probability of a statistic at least this large under the null hypothesis. */
    public double pValue() {
      return test.getPValue();
    }

    /** Whether the null hypothesis is rejected at {@code alpha} (p-value below alpha). */
    public boolean rejects(double alpha) {
      return test.reject(alpha);
    }

    /**
     * Adds the statistic, degrees of freedom and p-value to a result's statistics block, in the
     * form the reports show.
     */
    public void addTo(Map<String, String> statistics) {
      statistics.put("chi-square statistic", String.format(Locale.ROOT, "%.4f", statistic()));
      statistics.put("degrees of freedom", String.valueOf(degreesOfFreedom));
      statistics.put("p-value", String.format(Locale.ROOT, "%.6g", pValue()));
    }
  }
}
