package dev.meshproof.scenario.traffic;

import java.util.Map;

/**
 * What one proxy's admin interface showed after the traffic: its {@code /stats/prometheus} text
 * (Istio's {@code istio_*} metrics where the proxy runs Istio's stats filter, Envoy's {@code
 * envoy_*} statistics) and its {@code /stats} counters by Envoy's untagged names ({@code
 * cluster.outbound|80|v2|catalog.default.svc.cluster.local.upstream_rq_503}).
 */
public record ProxyMetrics(String prometheus, Map<String, Long> stats) {
  public ProxyMetrics {
    stats = Map.copyOf(stats);
  }

  /** Parses Envoy's {@code /stats} text ({@code name: value} per line; histograms skipped). */
  public static Map<String, Long> parseStats(String text) {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon < 0) {
        continue;
      }
      String value = line.substring(colon + 2).trim();
      // Envoy prints uint64 values (some gauges beyond Long.MAX_VALUE): read as unsigned.
      if (value.matches("[0-9]{1,20}")) {
        out.put(line.substring(0, colon), Long.parseUnsignedLong(value));
      }
    }
    return out;
  }
}
