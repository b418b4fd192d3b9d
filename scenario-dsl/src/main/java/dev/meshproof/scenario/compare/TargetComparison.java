package dev.meshproof.scenario.compare;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.stats.ChiSquare;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares one scenario's runs on two targets (e.g. the embedded sidecar against Envoy): for every
 * observed distribution both runs produced, Pearson's chi-square test of homogeneity on the 2×k
 * table of counts asks whether both come from the same distribution, at a stated alpha. A rejection
 * is a finding: the two data planes route the same configuration differently.
 */
public final class TargetComparison {
  private TargetComparison() {}

  /**
   * One scenario's runs on several targets, each compared with the first (e.g. envoy and kubernetes
   * against embedded), at {@code alpha} each.
   */
  public static List<ExpectationResult> againstFirst(List<ScenarioResult> runs, double alpha) {
    List<ExpectationResult> out = new ArrayList<>();
    for (int i = 1; i < runs.size(); i++) {
      out.addAll(compare(runs.get(0), runs.get(i), alpha));
    }
    return out;
  }

  public static List<ExpectationResult> compare(ScenarioResult a, ScenarioResult b, double alpha) {
    List<ExpectationResult> out = new ArrayList<>();
    if (a.status() == Status.SKIPPED || b.status() == Status.SKIPPED) {
      return out;
    }
    int n = Math.min(a.expectations().size(), b.expectations().size());
    for (int i = 0; i < n; i++) {
      ExpectationResult ea = a.expectations().get(i);
      ExpectationResult eb = b.expectations().get(i);
      if (!ea.description().equals(eb.description())
          || ea.distribution().isEmpty()
          || eb.distribution().isEmpty()) {
        continue;
      }
      out.add(homogeneity(ea, eb, a.target(), b.target(), alpha));
    }
    return out;
  }

  private static ExpectationResult homogeneity(
      ExpectationResult a, ExpectationResult b, String targetA, String targetB, double alpha) {
    Set<String> categories = new LinkedHashSet<>();
    a.distribution().forEach(r -> categories.add(r.category()));
    b.distribution().forEach(r -> categories.add(r.category()));
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (String category : categories) {
      counts.put(category, new long[] {observed(a, category), observed(b, category)});
    }
    // Categories neither target used carry no information and would make the test undefined.
    counts.values().removeIf(c -> c[0] + c[1] == 0);
    long totalA = counts.values().stream().mapToLong(c -> c[0]).sum();
    long totalB = counts.values().stream().mapToLong(c -> c[1]).sum();
    String description =
        "same distribution on " + targetA + " and " + targetB + ": " + a.description();
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "Pearson chi-square test of homogeneity (2 x k)");
    statistics.put("alpha", String.valueOf(alpha));
    statistics.put(targetA + " total", String.valueOf(totalA));
    statistics.put(targetB + " total", String.valueOf(totalB));
    List<DistributionRow> rows = new ArrayList<>();
    counts.forEach(
        (category, c) ->
            rows.add(
                new DistributionRow(
                    category + " (" + targetA + " vs " + targetB + ")",
                    c[0],
                    totalA == 0 ? 0 : (double) c[0] / totalA,
                    totalB == 0 ? 0 : (double) c[1] / totalB,
                    c[1])));
    String table = table(counts, targetA, targetB);
    if (counts.size() < 2 || totalA == 0 || totalB == 0) {
      boolean same = counts.size() <= 1;
      return new ExpectationResult(
          description, same, (same ? "identical: " : "not comparable: ") + table, statistics, rows);
    }
    long[][] matrix = new long[2][counts.size()];
    int column = 0;
    for (long[] c : counts.values()) {
      matrix[0][column] = c[0];
      matrix[1][column] = c[1];
      column++;
    }
    ChiSquare.Result test = ChiSquare.homogeneity(matrix);
    test.addTo(statistics);
    boolean same = !test.rejects(alpha);
    String message =
        (same ? "consistent with one distribution: " : "DIFFERENT distributions: ")
            + table
            + String.format(
                Locale.ROOT, "; p-value %.3g %s alpha %s", test.pValue(), same ? ">=" : "<", alpha);
    return new ExpectationResult(description, same, message, statistics, rows);
  }

  private static long observed(ExpectationResult result, String category) {
    return result.distribution().stream()
        .filter(r -> r.category().equals(category))
        .mapToLong(DistributionRow::observed)
        .sum();
  }

  private static String table(Map<String, long[]> counts, String targetA, String targetB) {
    StringBuilder out = new StringBuilder();
    counts.forEach(
        (category, c) ->
            out.append(out.length() == 0 ? "" : ", ")
                .append(category)
                .append(' ')
                .append(targetA)
                .append('=')
                .append(c[0])
                .append('/')
                .append(targetB)
                .append('=')
                .append(c[1]));
    return out.toString();
  }
}
