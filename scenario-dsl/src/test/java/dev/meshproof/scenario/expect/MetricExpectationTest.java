package dev.meshproof.scenario.expect;

import static dev.meshproof.scenario.expect.Expectations.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.ProxyMetrics;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio metric series against a count or what the clients observed, on both kinds of proxies. */
class MetricExpectationTest {
  private static RequestObservation answer(int index, String version, int status) {
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic("t")
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .service("catalog")
        .version(version)
        .instance("catalog-" + version + "-0")
        .latency(Duration.ofMillis(5))
        .build();
  }

  /** Three v2 503s and two v1 200s, as the client saw them. */
  private static List<RequestObservation> traffic() {
    List<RequestObservation> requests = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      requests.add(answer(i, "v2", 503));
    }
    requests.add(answer(3, "v1", 200));
    requests.add(answer(4, "v1", 200));
    return requests;
  }

  private static final String ISTIO =
      """
      # TYPE istio_requests_total counter
      istio_requests_total{reporter="source",destination_version="v2",destination_service_name="catalog",response_code="503"} 3
      istio_requests_total{reporter="destination",destination_version="v2",destination_service_name="catalog",response_code="503"} 3
      istio_requests_total{reporter="source",destination_version="v1",destination_service_name="catalog",response_code="200"} 2
      """;

  private static final Map<String, Long> ENVOY =
      Map.of(
          "cluster.outbound|80|v2|catalog.default.svc.cluster.local.upstream_rq_503", 3L,
          "cluster.outbound|80|v2|catalog.default.svc.cluster.local.external.upstream_rq_503", 3L,
          "cluster.outbound|80|v1|catalog.default.svc.cluster.local.upstream_rq_200", 2L,
          "cluster.outbound|80|v1|catalog.default.svc.cluster.local.upstream_rq_total", 2L,
          "cluster.outbound|80|v2|catalog.default.svc.cluster.local.upstream_rq_total", 3L,
          "cluster.inbound|80||.upstream_rq_503", 3L);

  @Test
  void istioSeriesAreSummedOverTheSourceReporterAndEqualWhatTheClientSaw() {
    Observations observations =
        new Observations(traffic(), Map.of("client-0", new ProxyMetrics(ISTIO, Map.of())));
    ExpectationResult result =
        metric("istio_requests_total{destination_version=\"v2\",response_code=\"503\"}")
            .equalsObserved()
            .evaluate(observations);
    assertThat(result.passed()).as(result.message()).isTrue();
    assertThat(result.statistics()).containsEntry("metric", "3");
    assertThat(
            metric("istio_requests_total{reporter=destination,response_code=503}")
                .equalTo(3)
                .evaluate(observations)
                .passed())
        .isTrue();
  }

  @Test
  void aCountOtherThanTheMetricFailsSayingBoth() {
    Observations observations =
        new Observations(traffic(), Map.of("client-0", new ProxyMetrics(ISTIO, Map.of())));
    ExpectationResult result =
        metric("istio_requests_total{destination_version=\"v2\",response_code=\"503\"}")
            .equalTo(0)
            .evaluate(observations);
    assertThat(result.passed()).isFalse();
    assertThat(result.message()).isEqualTo("istio_requests_total is 3 (expected 0)");
  }

  @Test
  void onEnvoyTheOutboundClusterStatisticStandsInOncePerResponse() {
    Observations observations =
        new Observations(traffic(), Map.of("client-0", new ProxyMetrics("", ENVOY)));
    ExpectationResult v2 =
        metric("istio_requests_total{destination_version=\"v2\",response_code=\"503\"}")
            .equalsObserved()
            .evaluate(observations);
    assertThat(v2.passed()).as(v2.message()).isTrue();
    assertThat(v2.statistics().get("source")).startsWith("Envoy cluster statistics");
    ExpectationResult service =
        metric("istio_requests_total{destination_service_name=\"catalog\"}")
            .equalTo(5)
            .evaluate(observations);
    assertThat(service.passed()).as(service.message()).isTrue();
    assertThat(service.message()).isEqualTo("istio_requests_total is 5");
  }

  @Test
  void onEnvoyLabelsWithoutACounterpartFailNamingThem() {
    Observations observations =
        new Observations(traffic(), Map.of("client-0", new ProxyMetrics("", ENVOY)));
    ExpectationResult result =
        metric("istio_requests_total{source_workload=\"client\"}")
            .equalsObserved()
            .evaluate(observations);
    assertThat(result.passed()).isFalse();
    assertThat(result.message()).contains("[source_workload]").contains("no istio.stats filter");
  }

  @Test
  void badSeriesAndUnobservableLabelsAreRefusedNamingWhatIsAllowed() {
    assertThatThrownBy(() -> metric("istio requests").equalTo(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: a Prometheus series");
    assertThatThrownBy(
            () -> metric("istio_requests_total{source_principal=\"x\"}").equalsObserved())
        .hasMessageContaining("[source_principal] cannot be observed")
        .hasMessageContaining("destination_version");
    assertThatThrownBy(() -> metric("istio_tcp_sent_bytes_total").equalsObserved())
        .hasMessageContaining("other metrics take a number");
  }

  @Test
  void theFileFormRoundTrips() {
    assertThat(metric("istio_requests_total{response_code=\"503\"}").equalTo(4).toYaml())
        .isEqualTo(
            Map.of(
                "metric",
                Map.of("series", "istio_requests_total{response_code=\"503\"}", "equals", 4L)));
  }
}
