package dev.meshproof.runtime.telemetry;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A proxy's counters, named as Envoy names them ({@code cluster.<name>.upstream_rq_200}, {@code
 * http.<listener>.downstream_rq_5xx}, {@code http.<listener>.no_route}), and rendered in Envoy's
 * Prometheus form ({@code
 * envoy_cluster_upstream_rq{envoy_cluster_name=...,envoy_response_code=...}}).
 */
public final class ProxyStats {
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

  public void increment(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  /** Adds {@code amount} to a counter (bytes moved by a TCP proxy). */
  public void add(String name, long amount) {
    counters.computeIfAbsent(name, k -> new LongAdder()).add(amount);
  }

  /** Counts one downstream request answered by the connection manager {@code statPrefix}. */
  public void downstreamResponse(String listener, int status) {
    increment("http." + listener + ".downstream_rq_total");
    increment("http." + listener + ".downstream_rq_" + status / 100 + "xx");
  }

  /** Counts one upstream response from {@code cluster}. */
  public void upstreamResponse(String cluster, int status) {
    increment("cluster." + cluster + ".upstream_rq_total");
    increment("cluster." + cluster + ".upstream_rq_" + status);
    increment("cluster." + cluster + ".upstream_rq_" + status / 100 + "xx");
  }

  /**
   * Counts one request's outcome where Envoy counts it: downstream by status class; a forwarded
   * response upstream by status; a local reply under its response flag's own counter.
   */
  public void recordResponse(
      String listener, int status, Optional<ResponseFlag> flag, String cluster) {
    downstreamResponse(listener, status);
    if (flag.isEmpty()) {
      upstreamResponse(cluster, status);
      return;
    }
    switch (flag.get()) {
      case NO_ROUTE_FOUND -> increment("http." + listener + ".no_route");
      case NO_CLUSTER_FOUND -> increment("http." + listener + ".no_cluster");
      case NO_HEALTHY_UPSTREAM -> increment("cluster." + cluster + ".upstream_cx_none_healthy");
      case UPSTREAM_CONNECTION_FAILURE ->
          increment("cluster." + cluster + ".upstream_cx_connect_fail");
      case UPSTREAM_CONNECTION_TERMINATION ->
          increment("cluster." + cluster + ".upstream_rq_rx_reset");
      case UPSTREAM_REQUEST_TIMEOUT -> increment("cluster." + cluster + ".upstream_rq_timeout");
      // Envoy counts codec errors per connection manager, not per route.
      case DOWNSTREAM_PROTOCOL_ERROR ->
          increment("http." + listener + ".downstream_cx_protocol_error");
      // The fault filter's counter (Envoy: http.<stat_prefix>.fault.aborts_injected).
      case FAULT_INJECTED -> increment("http." + listener + ".fault.aborts_injected");
      default -> increment("http." + listener + ".rq_" + flag.get().code());
    }
  }

  public long get(String name) {
    LongAdder counter = counters.get(name);
    return counter == null ? 0 : counter.sum();
  }

  /** Every counter by name, sorted. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((name, value) -> out.put(name, value.sum()));
    return out;
  }

  /** Envoy's {@code /stats/prometheus} rendering of the counters. */
  public String prometheus() {
    StringBuilder out = new StringBuilder();
    String lastMetric = "";
    for (Map.Entry<String, Long> counter : snapshot().entrySet()) {
      String[] metric = prometheusName(counter.getKey());
      if (!metric[0].equals(lastMetric)) {
        out.append("# TYPE ").append(metric[0]).append(" counter\n");
        lastMetric = metric[0];
      }
      out.append(metric[0]).append(metric[1]).append(' ').append(counter.getValue()).append('\n');
    }
    return out.toString();
  }

  /** Envoy's tag extraction for the names this proxy uses: name and label set. */
  private static String[] prometheusName(String stat) {
    if (stat.startsWith("cluster.")) {
      int last = stat.lastIndexOf('.');
      String cluster = stat.substring("cluster.".length(), last);
      String counter = stat.substring(last + 1);
      String labels = "envoy_cluster_name=\"" + escape(cluster) + "\"";
      if (counter.matches("upstream_rq_[0-9]{3}")) {
        return new String[] {
          "envoy_cluster_upstream_rq",
          "{envoy_response_code=\"" + counter.substring(12) + "\"," + labels + "}"
        };
      }
      if (counter.matches("upstream_rq_[0-9]xx")) {
        return new String[] {
          "envoy_cluster_upstream_rq_xx",
          "{envoy_response_code_class=\"" + counter.charAt(12) + "\"," + labels + "}"
        };
      }
      return new String[] {"envoy_cluster_" + counter, "{" + labels + "}"};
    }
    if (stat.startsWith("http.")) {
      int last = stat.lastIndexOf('.');
      String prefix = stat.substring("http.".length(), last);
      String counter = stat.substring(last + 1);
      String labels = "envoy_http_conn_manager_prefix=\"" + escape(prefix) + "\"";
      if (counter.matches("downstream_rq_[0-9]xx")) {
        return new String[] {
          "envoy_http_downstream_rq_xx",
          "{envoy_response_code_class=\"" + counter.charAt(14) + "\"," + labels + "}"
        };
      }
      return new String[] {"envoy_http_" + counter, "{" + labels + "}"};
    }
    return new String[] {"envoy_" + stat.replaceAll("[^a-zA-Z0-9_]", "_"), ""};
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
