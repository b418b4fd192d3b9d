package dev.meshproof.runtime.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyStatsTest {

  @Test
  void countersRenderInEnvoysPrometheusShape() {
    ProxyStats stats = new ProxyStats();
    stats.upstreamResponse("outbound|80|v1|catalog.default.svc.cluster.local", 503);
    stats.upstreamResponse("outbound|80|v1|catalog.default.svc.cluster.local", 200);
    stats.downstreamResponse("virtualOutbound", 404);
    stats.increment("http.virtualOutbound.no_route");

    assertThat(
            stats.get("cluster.outbound|80|v1|catalog.default.svc.cluster.local.upstream_rq_total"))
        .isEqualTo(2);
    assertThat(stats.prometheus())
        .contains("# TYPE envoy_cluster_upstream_rq counter\n")
        .contains(
            "envoy_cluster_upstream_rq{envoy_response_code=\"503\",envoy_cluster_name=\"outbound|80|v1|catalog.default.svc.cluster.local\"} 1\n")
        .contains(
            "envoy_cluster_upstream_rq_xx{envoy_response_code_class=\"5\",envoy_cluster_name=\"outbound|80|v1|catalog.default.svc.cluster.local\"} 1\n")
        .contains(
            "envoy_cluster_upstream_rq_total{envoy_cluster_name=\"outbound|80|v1|catalog.default.svc.cluster.local\"} 2\n")
        .contains("envoy_http_no_route{envoy_http_conn_manager_prefix=\"virtualOutbound\"} 1\n")
        .contains(
            "envoy_http_downstream_rq_xx{envoy_response_code_class=\"4\",envoy_http_conn_manager_prefix=\"virtualOutbound\"} 1\n");
  }

  @Test
  void eachOutcomeIsCountedUnderItsFlagOrAsAnUpstreamResponse() {
    ProxyStats stats = new ProxyStats();
    stats.recordResponse("virtualOutbound", 200, java.util.Optional.empty(), "c");
    stats.recordResponse(
        "virtualOutbound", 404, java.util.Optional.of(ResponseFlag.NO_ROUTE_FOUND), "-");
    stats.recordResponse(
        "virtualOutbound", 504, java.util.Optional.of(ResponseFlag.UPSTREAM_REQUEST_TIMEOUT), "c");

    assertThat(stats.snapshot())
        .containsEntry("http.virtualOutbound.downstream_rq_total", 3L)
        .containsEntry("cluster.c.upstream_rq_200", 1L)
        .containsEntry("http.virtualOutbound.no_route", 1L)
        .containsEntry("cluster.c.upstream_rq_timeout", 1L)
        .doesNotContainKey("cluster.c.upstream_rq_504");
  }
}
