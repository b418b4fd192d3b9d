package dev.meshproof.scenario.expect;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.ProxyMetrics;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expects an Istio standard metric, summed over every proxy's series that carry the selected labels
 * ({@code istio_requests_total{destination_version="v2",response_code="503"}}), to equal a number
 * or exactly what the clients observed (the requests answered with that code by that version).
 * Without a {@code reporter} label the client side ({@code reporter="source"}) is read, so a
 * request is counted once.
 *
 * <p>Where the proxies run no {@code istio.stats} filter (upstream Envoy 1.40 has none), {@code
 * istio_requests_total} is judged by its Envoy equivalent: the client proxies' {@code
 * cluster.outbound|<port>|<subset>|<host>.upstream_rq_<code>} counters, the version being the
 * subset's name (Istio's convention for version subsets). Envoy counts upstream attempts where the
 * stats filter counts requests, so the two agree when no request was retried. Labels without an
 * Envoy counterpart (workloads, principals, flags) are refused there, naming them.
 *
 * @see <a href="https://istio.io/latest/docs/reference/config/metrics/">Istio standard metrics</a>
 */
public final class MetricExpectation implements Expectation {
  private static final Pattern SERIES = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?");
  private static final Pattern LABEL =
      Pattern.compile(
          "\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,]*)\\s*");

  /** The labels an observed count can be derived for, from what each response named. */
  static final Set<String> OBSERVABLE =
      Set.of(
          "reporter",
          "response_code",
          "destination_version",
          "destination_service",
          "destination_service_name",
          "destination_workload",
          "source_workload");

  /** The labels {@code istio_requests_total} has an Envoy cluster-statistic counterpart for. */
  static final Set<String> ENVOY_EQUIVALENT =
      Set.of(
          "reporter",
          "response_code",
          "destination_version",
          "destination_service",
          "destination_service_name");

  private static final String REQUESTS_TOTAL = "istio_requests_total";

  private final String series;
  private final String metric;
  private final Map<String, String> selector;
  private final OptionalLong expected;

  private MetricExpectation(String series, OptionalLong expected) {
    this.series = series.trim();
    Matcher m = SERIES.matcher(this.series);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "metric: "
              + series
              + " (expected: a Prometheus series, e.g."
              + " istio_requests_total{destination_version=\"v2\",response_code=\"503\"})");
    }
    this.metric = m.group(1);
    Map<String, String> labels = new LinkedHashMap<>();
    if (m.group(2) != null && !m.group(2).isBlank()) {
      for (String part : splitLabels(m.group(2))) {
        Matcher label = LABEL.matcher(part);
        if (!label.matches()) {
          throw new IllegalArgumentException(
              "metric: " + series + ": label " + part + " (expected: name=\"value\")");
        }
        String value =
            label.group(3) != null
                ? label.group(3).replace("\\\"", "\"").replace("\\\\", "\\")
                : label.group(2).trim();
        labels.put(label.group(1), value);
      }
    }
    labels.putIfAbsent("reporter", "source");
    this.selector = Map.copyOf(labels);
    this.expected = expected;
    if (expected.isEmpty()) {
      if (!metric.equals(REQUESTS_TOTAL)) {
        throw new IllegalArgumentException(
            "metric: "
                + metric
                + " equals observed (expected: "
                + REQUESTS_TOTAL
                + "; other metrics take a number)");
      }
      List<String> unobservable =
          labels.keySet().stream().filter(l -> !OBSERVABLE.contains(l)).sorted().toList();
      if (!unobservable.isEmpty()) {
        throw new IllegalArgumentException(
            "metric: "
                + series
                + ": labels "
                + unobservable
                + " cannot be observed by a client (expected some of: "
                + OBSERVABLE.stream().sorted().toList()
                + ")");
      }
    }
  }

  private static List<String> splitLabels(String body) {
    List<String> parts = new java.util.ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && quoted && i + 1 < body.length()) {
        current.append(c).append(body.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.toString().isBlank()) {
      parts.add(current.toString());
    }
    return parts;
  }

  @Override
  public Map<String, Object> toYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("series", series);
    if (expected.isPresent()) {
      fields.put("equals", expected.getAsLong());
    } else {
      fields.put("equalsObserved", true);
    }
    return Map.of("metric", fields);
  }

  @Override
  public String description() {
    return series
        + (series.contains("reporter") ? "" : " (reporter=\"source\")")
        + " equals "
        + (expected.isPresent()
            ? String.valueOf(expected.getAsLong())
            : "what the clients observed");
  }

  @Override
  public ExpectationResult evaluate(Observations observations) {
    Map<String, String> statistics = new LinkedHashMap<>();
    statistics.put("test", "exact count");
    long want = expected.isPresent() ? expected.getAsLong() : observed(observations.requests());
    statistics.put("expected", want + (expected.isPresent() ? "" : " (observed by the clients)"));
    boolean istioStats =
        observations.proxies().values().stream()
            .anyMatch(p -> p.prometheus().contains("# TYPE " + metric + " "));
    long actual;
    if (observations.proxies().isEmpty()) {
      return new ExpectationResult(
          description(),
          false,
          "no proxy statistics were read on this target (its proxies have no admin interface)",
          statistics,
          List.of());
    }
    if (istioStats) {
      statistics.put("source", "istio.stats filter (" + metric + ")");
      actual = 0;
      for (ProxyMetrics proxy : observations.proxies().values()) {
        actual += sum(proxy.prometheus());
      }
    } else {
      Optional<String> refusal = envoyRefusal();
      if (refusal.isPresent()) {
        return new ExpectationResult(description(), false, refusal.get(), statistics, List.of());
      }
      statistics.put(
          "source",
          "Envoy cluster statistics cluster.outbound|<port>|<subset>|<host>.upstream_rq_<code>"
              + " (no istio.stats filter on this proxy)");
      actual = 0;
      for (ProxyMetrics proxy : observations.proxies().values()) {
        for (var stat : proxy.stats().entrySet()) {
          if (envoyEquivalent(stat.getKey())) {
            actual += stat.getValue();
          }
        }
      }
    }
    statistics.put("metric", String.valueOf(actual));
    boolean passed = actual == want;
    return new ExpectationResult(
        description(),
        passed,
        metric + " is " + actual + (passed ? "" : " (expected " + want + ")"),
        statistics,
        List.of());
  }

  /** Requests whose outcome matches the selector, counted from what each response named. */
  private long observed(List<RequestObservation> requests) {
    return requests.stream().filter(this::matches).count();
  }

  private boolean matches(RequestObservation r) {
    for (var label : selector.entrySet()) {
      String value = label.getValue();
      boolean ok =
          switch (label.getKey()) {
            case "reporter" -> true;
            case "response_code" ->
                r.kind() == HttpOutcome.Kind.RESPONSE && String.valueOf(r.status()).equals(value);
            case "destination_version" -> r.version().filter(value::equals).isPresent();
            case "destination_service_name" -> r.service().filter(value::equals).isPresent();
            case "destination_service" ->
                r.service().filter(s -> value.equals(s) || value.startsWith(s + ".")).isPresent();
            case "destination_workload" ->
                r.instance()
                    .map(i -> i.replaceFirst("-[0-9]+$", ""))
                    .filter(value::equals)
                    .isPresent();
            case "source_workload" -> r.from().equals(value);
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private long sum(String prometheus) {
    long total = 0;
    for (String line : prometheus.split("\n")) {
      if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      Map<String, String> labels = new LinkedHashMap<>();
      if (close > 0) {
        for (String part : splitLabels(line.substring(metric.length() + 1, close))) {
          Matcher label = LABEL.matcher(part);
          if (label.matches()) {
            labels.put(
                label.group(1), label.group(3) != null ? label.group(3) : label.group(2).trim());
          }
        }
      }
      if (labels.entrySet().containsAll(selector.entrySet())) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private Optional<String> envoyRefusal() {
    if (!metric.equals(REQUESTS_TOTAL)) {
      return Optional.of(
          metric
              + " has no Envoy counterpart here: Envoy 1.40 runs no istio.stats filter (only "
              + REQUESTS_TOTAL
              + " maps to its cluster statistics)");
    }
    List<String> missing =
        selector.keySet().stream().filter(l -> !ENVOY_EQUIVALENT.contains(l)).sorted().toList();
    if (!missing.isEmpty() || !selector.get("reporter").equals("source")) {
      return Optional.of(
          "labels "
              + (missing.isEmpty() ? List.of("reporter=" + selector.get("reporter")) : missing)
              + " have no counterpart in Envoy's cluster statistics (Envoy 1.40 runs no"
              + " istio.stats filter; expected some of: "
              + ENVOY_EQUIVALENT.stream().sorted().toList()
              + ", reporter=source)");
    }
    return Optional.empty();
  }

  /** {@code cluster.outbound|<port>|<subset>|<host>.upstream_rq_<code>} matching the selector. */
  private boolean envoyEquivalent(String stat) {
    if (!stat.startsWith("cluster.outbound|")) {
      return false;
    }
    String code = selector.get("response_code");
    String suffix = code == null ? ".upstream_rq_total" : ".upstream_rq_" + code;
    if (!stat.endsWith(suffix)) {
      return false;
    }
    String[] parts =
        stat.substring("cluster.".length(), stat.length() - suffix.length()).split("\\|", -1);
    if (parts.length != 4) {
      return false;
    }
    String subset = parts[2];
    String host = parts[3];
    // Envoy also counts each response under external., internal. and canary. (router's
    // per-origin stats): the plain counter alone counts it once.
    if (host.endsWith(".external") || host.endsWith(".internal") || host.endsWith(".canary")) {
      return false;
    }
    String version = selector.get("destination_version");
    String service = selector.get("destination_service");
    String name = selector.get("destination_service_name");
    return (version == null || version.equals(subset))
        && (service == null || service.equals(host))
        && (name == null || host.equals(name) || host.startsWith(name + "."));
  }

  /** Configures a {@link MetricExpectation}. */
  public static final class Builder {
    private final String series;

    Builder(String series) {
      this.series = series;
    }

    /** The metric equals what the clients observed ({@code istio_requests_total} only). */
    public MetricExpectation equalsObserved() {
      return new MetricExpectation(series, OptionalLong.empty());
    }

    public MetricExpectation equalTo(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("equals: " + value + " (expected: >= 0)");
      }
      return new MetricExpectation(series, OptionalLong.of(value));
    }
  }
}
