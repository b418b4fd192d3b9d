package dev.meshproof.conformance;

import dev.meshproof.scenario.result.ExpectationResult;
import java.util.Collection;

/**
 * How often a full run of the catalogue may fail on a correct mesh by chance: at most once in a
 * thousand runs. Every statistical verdict whose outcome is not fixed by the seed (those on Envoy,
 * whose randomness cannot be seeded, and the cross-target comparisons that involve it) spends its
 * alpha from this budget; by Bonferroni's inequality the probability that any of them fails by
 * chance is at most the sum of their alphas. Verdicts on the embedded target are replayed from the
 * seed, so a run with the default seed decides them the same way every time.
 *
 * <p>Power at the per-verdict alpha (chi-square critical value 20.8 for one degree of freedom, 24.4
 * for two; noncentral chi-square with noncentrality n times the sum over cells of (p1 - p0)^2 /
 * p0): a 90/10 split over 2,000 requests is told from 85/15 with power 0.998 (0.76 over 1,000); a
 * 75/25 split over 2,000 from 70/30 with power 0.73; three uniform replicas over 300 requests from
 * 50/25/25 with power 0.90; "at least 99.9% succeed" over 2,000 requests (exact binomial, fails
 * from 12 failures) rejects a true 99% with power 0.98.
 */
public final class FalseAlarmBudget {
  /** The chance that a full catalogue run fails on a correct mesh: at most one in a thousand. */
  public static final double FAMILY_ALPHA = 0.001;

  /**
   * The alpha of each statistical verdict in the catalogue: small enough that the verdicts of a
   * full run (about 100 that are not fixed by the seed, checked by the suite) stay within {@link
   * #FAMILY_ALPHA}.
   */
  public static final double VERDICT_ALPHA = 5e-6;

  private FalseAlarmBudget() {}

  /** The alpha a verdict spent, or 0 when it states none (an exact, non-statistical check). */
  public static double alphaOf(ExpectationResult verdict) {
    String alpha = verdict.statistics().get("alpha");
    return alpha == null ? 0 : Double.parseDouble(alpha);
  }

  /** The sum of the alphas of {@code verdicts}: the bound on their joint false-alarm chance. */
  public static double spent(Collection<ExpectationResult> verdicts) {
    return verdicts.stream().mapToDouble(FalseAlarmBudget::alphaOf).sum();
  }
}
