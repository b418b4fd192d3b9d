package dev.meshproof.scenario.traffic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's Istio metrics as one compact table, per proxy: each non-zero series of Istio's standard
 * counters ({@code istio_requests_total} and the {@code istio_tcp_*} counters, histograms left out)
 * with the labels that tell exchanges apart (reporter, source and destination workload and version,
 * service, response code and flags, connection security policy, the principals). A proxy without
 * Istio's stats filter (upstream Envoy 1.40) has no {@code istio_*} series; its rows are the Envoy
 * statistics docs/telemetry.md maps them to ({@code cluster.outbound|...upstream_rq_<code>}, {@code
 * tcp.<prefix>.downstream_cx_total} and the TCP byte counters), the labels then empty.
 *
 * <p>The table is tab-separated text with a header row, so the report's attachment file is itself
 * readable by tools, and {@link #parse} reads it back for the HTML report.
 */
public final class IstioMetricsTable {
  /** The attachment the table is kept under in a run's result. */
  public static final String ATTACHMENT = "istio_metrics";

  /** The table's columns, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "proxy",
          "reporter",
          "metric",
          "source",
          "source principal",
          "destination",
          "destination principal",
          "service",
          "code",
          "flags",
          "security",
          "value");

  private static final Set<String> COUNTERS =
      Set.of(
          "istio_requests_total",
          "istio_tcp_connections_opened_total",
          "istio_tcp_connections_closed_total",
          "istio_tcp_received_bytes_total",
          "istio_tcp_sent_bytes_total");

  private static final Pattern SERIES =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+([0-9.eE+-]+)$");

  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** The Envoy statistics an Envoy proxy's rows show in place of Istio's counters. */
  private static final Pattern ENVOY_EQUIVALENT =
      Pattern.compile(
          "^(cluster\\.outbound\\|.*\\.upstream_rq_[0-9]{3}"
              + "|tcp\\..*\\.(downstream_cx_total|downstream_cx_rx_bytes_total"
              + "|downstream_cx_tx_bytes_total))$");

  private IstioMetricsTable() {}

  /** The table of {@code proxies}' metrics; empty when no proxy shows any row. */
  public static String of(Map<String, ProxyMetrics> proxies) {
    List<List<String>> rows = new ArrayList<>();
    proxies.forEach(
        (proxy, metrics) -> {
          List<List<String>> istio = istioRows(proxy, metrics.prometheus());
          if (!istio.isEmpty()) {
            rows.addAll(istio);
            return;
          }
          metrics.stats().entrySet().stream()
              .filter(e -> e.getValue() > 0 && ENVOY_EQUIVALENT.matcher(e.getKey()).matches())
              .sorted(Map.Entry.comparingByKey())
              .forEach(
                  e -> {
                    List<String> row = new ArrayList<>();
                    row.add(proxy);
                    row.add("envoy");
                    row.add(e.getKey());
                    while (row.size() < COLUMNS.size() - 1) {
                      row.add("");
                    }
                    row.add(Long.toString(e.getValue()));
                    rows.add(row);
                  });
        });
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(String.join("\t", COLUMNS)).append('\n');
    rows.forEach(row -> out.append(String.join("\t", row)).append('\n'));
    return out.toString();
  }

  private static List<List<String>> istioRows(String proxy, String prometheus) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : prometheus.split("\n")) {
      Matcher m = SERIES.matcher(line.strip());
      if (!m.matches() || !COUNTERS.contains(m.group(1))) {
        continue;
      }
      double value = Double.parseDouble(m.group(3));
      if (value == 0) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher label = LABEL.matcher(m.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
      }
      rows.add(
          List.of(
              proxy,
              labels.getOrDefault("reporter", ""),
              m.group(1),
              workload(labels, "source"),
              labels.getOrDefault("source_principal", ""),
              workload(labels, "destination"),
              labels.getOrDefault("destination_principal", ""),
              labels.getOrDefault("destination_service_name", ""),
              labels.getOrDefault("response_code", ""),
              labels.getOrDefault("response_flags", ""),
              labels.getOrDefault("connection_security_policy", ""),
              value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)));
    }
    return rows;
  }

  /** {@code workload/version} ({@code unknown} as Istio writes it). */
  private static String workload(Map<String, String> labels, String side) {
    String workload = labels.getOrDefault(side + "_workload", "");
    String version = labels.getOrDefault(side + "_version", "");
    return version.isEmpty() || version.equals("unknown") ? workload : workload + " " + version;
  }

  /** The rows of a table {@link #of} wrote, header first; tabs or newlines in values are not. */
  public static List<List<String>> parse(String table) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : table.split("\n")) {
      if (!line.isEmpty()) {
        rows.add(List.of(line.split("\t", -1)));
      }
    }
    return rows;
  }
}
