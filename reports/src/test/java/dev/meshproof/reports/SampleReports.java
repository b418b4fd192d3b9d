package dev.meshproof.reports;

import dev.meshproof.scenario.result.DistributionRow;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.ProxyEvidence;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.result.Topology;
import dev.meshproof.scenario.result.TrafficSummary;
import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.result.UpstreamAttempt;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hand-made results: one passing split with a distribution, one failing retry, one skipped. */
final class SampleReports {

  static final String INJECTION = "<script>alert('owned')</script>";
  static final Instant DATE = Instant.parse("2025-06-01T12:00:00Z");
  static final String CONFIG_DUMP =
      "{\n  \"configs\": [\n    {\"@type\": \"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\","
          + " \"note\": \"</pre><b>not bold</b>\"}\n  ]\n}\n";

  private SampleReports() {}

  static ScenarioResult weightedSplitOnEmbedded() {
    Map<String, String> stats = new LinkedHashMap<>();
    stats.put("test", "chi-square goodness of fit");
    stats.put("statistic", "0.694");
    stats.put("p-value", "0.405");
    stats.put("alpha", "0.001");
    stats.put("sample size", "2000");
    ExpectationResult split =
        new ExpectationResult(
            "reviews splits 90/10 by version",
            true,
            "v1 1795 (89.75%), v2 205 (10.25%); chi-square p=0.405 >= alpha 0.001",
            stats,
            List.of(
                new DistributionRow("v1", 1795, 0.8975, 0.9, 1800.0),
                new DistributionRow("v2", 205, 0.1025, 0.1, 200.0)));
    return ScenarioResult.builder("reviews 90/10 canary", "embedded", 424242L)
        .status(Status.PASSED)
        .started(Instant.parse("2025-06-01T11:58:00Z"))
        .duration(Duration.ofMillis(1834))
        .traffic(new TrafficSummary(2000, 2000, 0, 0, 0, Map.of(200, 2000L), 1.25, 2.5, 7.75, 19.0))
        .expectations(List.of(split))
        .failure(Optional.empty())
        .attachments(Map.of("config_dump client-0", CONFIG_DUMP))
        .topology(
            new Topology(
                List.of("productpage"),
                List.of(
                    new Topology.Workload("reviews", "v1", List.of("reviews-v1-0", "reviews-v1-1")),
                    new Topology.Workload("reviews", "v2", List.of("reviews-v2-0")),
                    new Topology.Workload("reviews", "v3", List.of("reviews-v3-0"))),
                List.of(
                    new Topology.Edge("productpage", "reviews-v1-0", 900),
                    new Topology.Edge("productpage", "reviews-v1-1", 895),
                    new Topology.Edge("productpage", "reviews-v2-0", 205))))
        .build();
  }

  static ScenarioResult skippedOnEnvoy(String scenario) {
    return ScenarioResult.builder(scenario, "envoy", 424242L)
        .status(Status.SKIPPED)
        .started(Instant.parse("2025-06-01T11:58:00Z"))
        .duration(Duration.ZERO)
        .traffic(TrafficSummary.none())
        .expectations(List.of())
        .failure(Optional.of("no Envoy binary on PATH; set -Dmeshproof.envoy=/path/to/envoy"))
        .attachments(Map.of())
        .build();
  }

  static ScenarioResult failingRetriesOnEmbedded() {
    ExpectationResult attempts =
        new ExpectationResult(
            "every request is attempted at most 3 times",
            false,
            "17 of 500 requests made 4 attempts " + INJECTION,
            Map.of("max attempts", "4"),
            List.of());
    return ScenarioResult.builder("ratings retries 5xx", "embedded", 77L)
        .status(Status.FAILED)
        .started(Instant.parse("2025-06-01T11:59:00Z"))
        .duration(Duration.ofMillis(912))
        .traffic(
            new TrafficSummary(
                500, 490, 0, 4, 6, Map.of(503, 40L, 200, 450L), 3.0, 9.5, 41.0, 250.0))
        .expectations(List.of(attempts))
        .failure(Optional.of("retry budget exceeded\n at attempt 4: " + INJECTION))
        .attachments(
            Map.of(
                "not_simulated",
                "EnvoyFilter default/lua-filter (networking.istio.io/v1alpha3) at ratings.yaml:12:1\n"
                    + "Telemetry istio-system/mesh-default (telemetry.istio.io/v1) at ratings.yaml:30:1"))
        .findings(
            List.of(
                "IST0101 Warning VirtualService default/ratings ratings.yaml:3 Referenced host not"
                    + " found: \"ratings-legacy\" "
                    + INJECTION))
        .timeline(retriesTimeline())
        .topology(
            new Topology(
                List.of("productpage"),
                List.of(
                    new Topology.Workload(
                        "ratings", "v2", List.of("ratings-v2-0", "ratings-v2-1"))),
                List.of(
                    new Topology.Edge("productpage", "ratings-v2-0", 240),
                    new Topology.Edge("productpage", "ratings-v2-1", 250),
                    new Topology.Edge("productpage", "", 10))))
        .failedRequests(
            List.of(
                new FailedRequest(
                    17,
                    "traffic-1",
                    "http://ratings/",
                    "RESPONSE",
                    503,
                    "",
                    12.5,
                    "no healthy upstream",
                    "6f1c0b7e-0d1a-4b7e-9a51-3c2d8e4f5a60",
                    Optional.of(
                        new ProxyEvidence(
                            "-", "outbound|9080|v2|ratings.default.svc.cluster.local", "-", "UH")),
                    List.of(
                        new UpstreamAttempt(
                            "ratings-v2-0",
                            503,
                            1,
                            0,
                            1.5,
                            "ratings:9080",
                            "spiffe://cluster.local/ns/default/sa/productpage"),
                        new UpstreamAttempt(
                            "ratings-v2-1",
                            503,
                            2,
                            27.25,
                            0,
                            "ratings:9080",
                            "spiffe://cluster.local/ns/default/sa/productpage"),
                        new UpstreamAttempt(
                            "ratings-v2-0", 0, 3, 61, 250, "ratings:9080", INJECTION)),
                    List.of(
                        new UpstreamAttempt(
                            "ratings-mirror-0", 200, 0, 0, 0.5, "ratings-shadow:9080", ""))),
                new FailedRequest(
                    42, "traffic-1", "http://ratings/", "TIMEOUT", 0, "", 30000, INJECTION)))
        .build();
  }

  /** 500 requests over one second, errors while a fault was in force from 300 to 600 ms. */
  static TrafficTimeline retriesTimeline() {
    List<TrafficTimeline.Bucket> buckets = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      boolean faulted = b >= 6 && b < 12;
      buckets.add(
          new TrafficTimeline.Bucket(
              b * 50.0, 25, faulted ? 8 : 0, faulted ? 9.5 : 2.5, faulted ? 41 : 7.5));
    }
    buckets.set(19, new TrafficTimeline.Bucket(950, 0, 0, Double.NaN, Double.NaN));
    return new TrafficTimeline(
        50,
        buckets,
        List.of(
            new TrafficTimeline.FaultWindow(
                "errors 30% 503 on ratings-v2 " + INJECTION, 300, 600)));
  }

  static ConformanceReport sample() {
    ConformanceTestResult split =
        ConformanceTestResult.builder("MeshHTTPRouteWeight-90-10")
            .feature("MeshHTTPRouteWeight")
            .supportLevel(SupportLevel.CORE)
            .description("A VirtualService with weights 90/10 splits traffic between subsets.")
            .specReference(
                "https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination")
            .result(weightedSplitOnEmbedded())
            .result(skippedOnEnvoy("reviews 90/10 canary"))
            .build();
    ConformanceTestResult retries =
        ConformanceTestResult.builder("MeshRetries-5xx")
            .feature("MeshRetries")
            .supportLevel(SupportLevel.CORE)
            .description("Retries on 5xx stop after attempts=2. " + INJECTION)
            .specReference(
                "https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on")
            .result(failingRetriesOnEmbedded())
            .result(skippedOnEnvoy("ratings retries 5xx"))
            .build();
    ConformanceTestResult outlier =
        ConformanceTestResult.builder("MeshOutlierDetection-eject")
            .feature("MeshOutlierDetection")
            .supportLevel(SupportLevel.EXTENDED)
            .description("Five consecutive 5xx eject a host for baseEjectionTime.")
            .specReference(
                "https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection")
            .result(skipped("embedded", "outlier detection not implemented yet"))
            .result(skippedOnEnvoy("outlier ejection"))
            .build();
    return ConformanceReport.builder()
        .implementation(
            Implementation.of("meshproof", "meshproof-embedded-mesh", "0.1.0-SNAPSHOT")
                .withUrl(URI.create("https://example.org/meshproof"))
                .withContact("@meshproof/maintainers"))
        .meshproofVersion("0.1.0-SNAPSHOT")
        .istioVersion("1.24")
        .date(DATE)
        .test(split)
        .test(retries)
        .test(outlier)
        .build();
  }

  static ScenarioResult skipped(String target, String reason) {
    return ScenarioResult.builder("outlier ejection", target, 5L)
        .status(Status.SKIPPED)
        .started(DATE)
        .duration(Duration.ZERO)
        .traffic(TrafficSummary.none())
        .expectations(List.of())
        .failure(Optional.of(reason))
        .attachments(Map.of())
        .build();
  }
}
