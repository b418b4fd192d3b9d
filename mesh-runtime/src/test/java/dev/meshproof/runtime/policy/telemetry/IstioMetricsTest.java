package dev.meshproof.runtime.policy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {
  private static final IstioWorkload PRODUCTPAGE =
      IstioWorkload.of(
          "productpage-v1-0", "default", Map.of("app", "productpage", "version", "v1"));
  private static final IstioWorkload REVIEWS_V2 =
      IstioWorkload.fromEndpointMetadata("reviews-v2;default;reviews;v2;Kubernetes").orElseThrow();

  private static IstioMetrics.Peers outbound() {
    return new IstioMetrics.Peers(
        IstioMetrics.Reporter.SOURCE,
        PRODUCTPAGE,
        "unknown",
        REVIEWS_V2,
        "unknown",
        "reviews.default.svc.cluster.local",
        "unknown");
  }

  @Test
  void aWorkloadIsItsDeploymentWithCanonicalServiceAndRevisionAsIstiodDerivesThem() {
    assertThat(PRODUCTPAGE.name()).isEqualTo("productpage-v1");
    assertThat(PRODUCTPAGE.canonicalService()).isEqualTo("productpage");
    assertThat(PRODUCTPAGE.canonicalRevision()).isEqualTo("v1");
    assertThat(IstioWorkload.of("db-0", "data", Map.of()).canonicalRevision()).isEqualTo("latest");
    assertThat(IstioWorkload.of("db-0", "data", Map.of()).canonicalService()).isEqualTo("db");
    assertThat(IstioWorkload.fromEndpointMetadata(PRODUCTPAGE.endpointMetadata()))
        .contains(PRODUCTPAGE);
    assertThat(IstioWorkload.fromEndpointMetadata("not;five")).isEmpty();
  }

  @Test
  void requestsAreCountedPerLabelSetAndSummedBySelector() {
    IstioMetrics metrics = new IstioMetrics();
    for (int i = 0; i < 3; i++) {
      metrics.recordRequest(outbound(), "http", 503, "", "-", 10, 20, Duration.ofMillis(7));
    }
    metrics.recordRequest(outbound(), "http", 200, "", "-", 0, 5, Duration.ofMillis(1));
    assertThat(
            metrics.sum(
                IstioMetrics.REQUESTS_TOTAL,
                Map.of("destination_version", "v2", "response_code", "503")))
        .isEqualTo(3);
    assertThat(metrics.sum(IstioMetrics.REQUESTS_TOTAL, Map.of("reporter", "source"))).isEqualTo(4);
    assertThat(metrics.sum(IstioMetrics.REQUEST_DURATION, Map.of("response_code", "200")))
        .isEqualTo(1);
    assertThat(metrics.series(IstioMetrics.REQUESTS_TOTAL)).hasSize(2);
  }

  @Test
  void prometheusTextHasIstioLabelsInOrderAndCumulativeBuckets() {
    IstioMetrics metrics = new IstioMetrics();
    metrics.recordRequest(outbound(), "grpc", 200, "0", "-", 100, 2000, Duration.ofMillis(7));
    String text = metrics.prometheus();
    assertThat(text)
        .contains("# TYPE istio_requests_total counter\n")
        .contains(
            "istio_requests_total{reporter=\"source\",source_workload=\"productpage-v1\","
                + "source_canonical_service=\"productpage\",source_canonical_revision=\"v1\","
                + "source_workload_namespace=\"default\",source_principal=\"unknown\","
                + "source_app=\"productpage\",source_version=\"v1\",source_cluster=\"Kubernetes\","
                + "destination_workload=\"reviews-v2\",destination_workload_namespace=\"default\","
                + "destination_principal=\"unknown\",destination_app=\"reviews\","
                + "destination_version=\"v2\","
                + "destination_service=\"reviews.default.svc.cluster.local\","
                + "destination_canonical_service=\"reviews\",destination_canonical_revision=\"v2\","
                + "destination_service_name=\"reviews\",destination_service_namespace=\"default\","
                + "destination_cluster=\"Kubernetes\",request_protocol=\"grpc\","
                + "response_code=\"200\",grpc_response_status=\"0\",response_flags=\"-\","
                + "connection_security_policy=\"unknown\"} 1\n")
        .contains("# TYPE istio_request_duration_milliseconds histogram\n");
    assertThat(text)
        .containsPattern("istio_request_duration_milliseconds_bucket\\{.*le=\"5\"} 0\n");
    assertThat(text)
        .containsPattern("istio_request_duration_milliseconds_bucket\\{.*le=\"10\"} 1\n");
    assertThat(text)
        .containsPattern("istio_request_duration_milliseconds_bucket\\{.*le=\"3600000\"} 1\n");
    assertThat(text)
        .containsPattern("istio_request_duration_milliseconds_bucket\\{.*le=\"\\+Inf\"} 1\n");
    assertThat(text).containsPattern("istio_request_duration_milliseconds_sum\\{.*} 7\n");
    assertThat(text).containsPattern("istio_response_bytes_bucket\\{.*le=\"1000\"} 0\n");
    assertThat(text).containsPattern("istio_response_bytes_bucket\\{.*le=\"2500\"} 1\n");
    assertThat(text).containsPattern("istio_request_bytes_count\\{.*} 1\n");
  }

  @Test
  void tcpConnectionsCountOpenCloseAndBytesAndARefusedConnectionOpensAndCloses() {
    IstioMetrics metrics = new IstioMetrics();
    metrics.tcpOpened(outbound());
    metrics.tcpReceived(outbound(), 100);
    metrics.tcpSent(outbound(), 18);
    metrics.tcpClosed(outbound(), IstioMetrics.NO_FLAGS, true);
    metrics.tcpClosed(outbound(), "UH", false);
    assertThat(metrics.sum(IstioMetrics.TCP_OPENED, Map.of())).isEqualTo(2);
    assertThat(metrics.sum(IstioMetrics.TCP_CLOSED, Map.of("response_flags", "UH"))).isEqualTo(1);
    assertThat(metrics.sum(IstioMetrics.TCP_RECEIVED_BYTES, Map.of("request_protocol", "tcp")))
        .isEqualTo(100);
    assertThat(metrics.sum(IstioMetrics.TCP_SENT_BYTES, Map.of())).isEqualTo(18);
  }

  @Test
  void serviceNameAndNamespaceComeFromAKubernetesHost() {
    assertThat(IstioMetrics.Peers.serviceName("reviews.default.svc.cluster.local"))
        .isEqualTo("reviews");
    assertThat(IstioMetrics.Peers.serviceNamespace("reviews.default.svc.cluster.local"))
        .isEqualTo("default");
    assertThat(IstioMetrics.Peers.serviceNamespace("api.example.com")).isEqualTo("unknown");
  }
}
