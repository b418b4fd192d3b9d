package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.traffic.IstioMetricsTable;
import dev.meshproof.scenario.traffic.ProxyMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html shows each run's Istio metrics as a compact table per proxy: the embedded sidecar's
 * {@code istio_*} counters with their telling labels, and on Envoy the statistics compared instead.
 */
class IstioMetricsReportTest {
  @TempDir Path dir;

  private static final String PROMETHEUS =
      """
      # TYPE istio_requests_total counter
      istio_requests_total{reporter="destination",source_workload="sleep",source_principal="spiffe://cluster.local/ns/default/sa/sleep",source_version="unknown",destination_workload="catalog-v1",destination_principal="spiffe://cluster.local/ns/default/sa/catalog",destination_version="v1",destination_service_name="catalog",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="mutual_tls"} 20
      istio_requests_total{reporter="destination",source_workload="sleep",destination_workload="catalog-v1",response_code="503",response_flags="UF",connection_security_policy="none"} 0
      istio_request_duration_milliseconds_bucket{reporter="destination",le="1"} 20
      envoy_cluster_upstream_rq_total{envoy_cluster_name="inbound|80||"} 20
      """;

  @Test
  void theEmbeddedSidecarsCountersBecomeOneRowPerSeriesAndEnvoysStatisticsStandIn()
      throws IOException {
    Map<String, ProxyMetrics> proxies = new LinkedHashMap<>();
    proxies.put("catalog-v1-0", new ProxyMetrics(PROMETHEUS, Map.of()));
    proxies.put(
        "sleep-0",
        new ProxyMetrics(
            "envoy_server_live 1\n",
            Map.of(
                "cluster.outbound|80||catalog.default.svc.cluster.local.upstream_rq_200", 20L,
                "cluster.outbound|80||catalog.default.svc.cluster.local.upstream_rq_503", 0L,
                "cluster.outbound|80||catalog.default.svc.cluster.local.upstream_cx_total", 1L)));
    String table = IstioMetricsTable.of(proxies);

    assertThat(IstioMetricsTable.parse(table))
        .containsExactly(
            IstioMetricsTable.COLUMNS,
            java.util.List.of(
                "catalog-v1-0",
                "destination",
                "istio_requests_total",
                "sleep",
                "spiffe://cluster.local/ns/default/sa/sleep",
                "catalog-v1 v1",
                "spiffe://cluster.local/ns/default/sa/catalog",
                "catalog",
                "200",
                "-",
                "mutual_tls",
                "20"),
            java.util.List.of(
                "sleep-0",
                "envoy",
                "cluster.outbound|80||catalog.default.svc.cluster.local.upstream_rq_200",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "20"));

    ScenarioResult base = SampleReports.weightedSplitOnEmbedded();
    ScenarioResult run =
        ScenarioResult.builder(base.scenario(), base.target(), base.seed())
            .status(base.status())
            .started(base.started())
            .duration(base.duration())
            .traffic(base.traffic())
            .expectations(base.expectations())
            .failure(base.failure())
            .attachments(Map.of(IstioMetricsTable.ATTACHMENT, table))
            .build();
    String html = Files.readString(ReportWriter.write(report(run), dir).html());
    assertThat(html)
        .contains("<h5>Istio metrics</h5>")
        .contains("<table class=\"istio-metrics\">")
        .contains(
            "<tr><td>catalog-v1-0</td><td>destination</td><td>istio_requests_total</td>"
                + "<td>sleep</td>")
        .contains("<td>mutual_tls</td><td>20</td></tr>")
        .contains("Upstream Envoy has no Istio stats filter")
        .doesNotContain("upstream_rq_503")
        .doesNotContain("istio_request_duration_milliseconds_bucket{");
  }

  @Test
  void noProxyWithAnyRowLeavesNoTable() {
    assertThat(
            IstioMetricsTable.of(
                Map.of("a-0", new ProxyMetrics("envoy_server_live 1\n", Map.of()))))
        .isEmpty();
  }

  private static ConformanceReport report(ScenarioResult run) {
    return ConformanceReport.builder()
        .implementation(Implementation.of("meshproof", "meshproof-embedded-mesh", "0.1.0"))
        .meshproofVersion("0.1.0")
        .istioVersion("1.32")
        .date(SampleReports.DATE)
        .test(
            ConformanceTestResult.builder("T-1")
                .feature("MeshTelemetryMetrics")
                .description("d")
                .specReference("https://istio.io/latest/docs/reference/config/metrics/")
                .result(run)
                .build())
        .build();
  }
}
