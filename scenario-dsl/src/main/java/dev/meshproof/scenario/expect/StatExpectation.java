package dev.meshproof.scenario.expect;

import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.ProxyMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Expects an Envoy statistic, by its untagged {@code /stats} name, summed over every proxy's
 * counters whose name matches, to equal a number: the same counter on both data planes (the
 * embedded sidecar names its counters as Envoy does). {@code *} in the name matches any run of
 * characters, so {@code http.inbound_*.rbac.istio_dry_run_allow_.shadow_denied} counts the requests
 * Istio's dry-run ALLOW policies would have refused, whichever inbound listener saw them. A counter
 * no proxy has counts 0 (Envoy creates some only when first used).
 *
 * @see <a
 *     href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/rbac_filter#statistics">Envoy
 *     RBAC filter statistics</a>
 */
public final class StatExpectation implements Expectation {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.*|:\\-]+");

  private final String name;
  private final Pattern pattern;
  private final long expected;

  private StatExpectation(String name, long expected) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "stat: "
              + name
              + " (expected: an Envoy statistic name as /stats prints it, * for any characters,"
              + " e.g. http.inbound_*.rbac.denied)");
    }
    if (expected < 0) {
      throw new IllegalArgumentException("equals: " + expected + " (expected: >= 0)");
    }
    this.name = name;
    this.expected = expected;
    // split with limit -1 keeps empty parts, so a leading or trailing * becomes .* there too.
    this.pattern =
        Pattern.compile(
            java.util.Arrays.stream(name.split("\\*", -1))
                .map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*")));
  }

  /** The expectation that the statistics named {@code name} sum to {@code value}. */
  static StatExpectation of(String name, long value) {
    return new StatExpectation(name, value);
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("name", name);
    fields.put("equals", expected);
    return Map.of("stat", fields);
  }

  @Override
  public String description() {
    return "Envoy statistic " + name + " equals " + expected;
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    statistics.put("expected", String.valueOf(expected));
    if (observations.proxies().isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          "no proxy statistics were read on this target (its proxies have no admin interface)",
          statistics,
          List.of());
    }
    long actual = 0;
    Map<String, Long> matched = new TreeMap<>();
    for (var proxy : observations.proxies().entrySet()) {
      ProxyMetrics metrics = proxy.getValue();
      for (var stat : metrics.stats().entrySet()) {
        if (pattern.matcher(stat.getKey()).matches()) {
          actual += stat.getValue();
          if (stat.getValue() > 0) {
            matched.put(proxy.getKey() + " " + stat.getKey(), stat.getValue());
          }
        }
      }
    }
    statistics.put("value", String.valueOf(actual));
    matched.forEach((k, v) -> statistics.put(k, String.valueOf(v)));
    boolean passed = actual == expected;
    return new ExpectationResult(
        description(),
        passed,
        name + " is " + actual + (passed ? "" : " (expected " + expected + ")"),
        statistics,
        List.of());
  }
}
