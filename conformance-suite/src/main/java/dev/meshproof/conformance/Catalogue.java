package dev.meshproof.conformance;

import static dev.meshproof.scenario.expect.Expectations.attempts;
import static dev.meshproof.scenario.expect.Expectations.ejection;
import static dev.meshproof.scenario.expect.Expectations.latency;
import static dev.meshproof.scenario.expect.Expectations.overflows;
import static dev.meshproof.scenario.expect.Expectations.response;
import static dev.meshproof.scenario.expect.Expectations.responseFlag;
import static dev.meshproof.scenario.expect.Expectations.servedBy;
import static dev.meshproof.scenario.expect.Expectations.split;
import static dev.meshproof.scenario.expect.Expectations.successRate;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.chaos.Chaos;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conformance catalogue: every test Meshproof runs against a target. Each encodes a behaviour
 * the Istio documentation promises, with a stated statistical test where the behaviour is random.
 */
public final class Catalogue {
  private static final String VIRTUAL_SERVICE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/virtual-service/";

  private static final String MESH_CONFIG_DOC =
      "https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/";

  private static final String DESTINATION_RULE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/destination-rule/";

  /**
   * In-flight requests of the retry scenarios. Envoy's retry circuit breaker defaults to 3 active
   * retries per cluster; istiod lifts it to 2^32-1 in every cluster's thresholds, which the
   * translation does not emit yet (the cluster-level resilience work). At most 3 requests in flight
   * keep every retry admitted on both targets.
   */
  private static final int RETRY_CONCURRENCY = 3;

  private Catalogue() {}

  public static List<ConformanceTest> all() {
    return List.of(
        new ConformanceTest(
            "mesh-http-route-weight-90-10",
            Feature.MeshHTTPRouteWeight,
            "A VirtualService sends 90% of catalog traffic to subset v1 and 10% to v2; 2,000"
                + " requests split accordingly (chi-square goodness of fit, alpha 5e-6) and all"
                + " succeed.",
            VIRTUAL_SERVICE_DOC + "#HTTPRouteDestination",
            yaml ->
                Scenario.named("catalog canary 90/10")
                    .service("catalog", s -> s.version("v1").version("v2"))
                    .client("client")
                    .istio("mesh-http-route-weight-90-10.yaml", yaml)
                    .traffic(t -> t.from("client").get("http://catalog/").requests(2_000))
                    .expect(
                        split("catalog")
                            .byVersion(Map.of("v1", 0.9, "v2", 0.1))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        weights(3, 1),
        weights(150, 50),
        new ConformanceTest(
            "mesh-http-route-without-headers",
            Feature.MeshHTTPRouteHeaderMatch,
            "withoutHeaders end-user: {exact: jason} matches a request without end-user and one"
                + " with end-user: bob, not one with jason; headers x-canary: {} matches only when"
                + " x-canary is sent; withoutHeaders x-canary: {} only when it is not.",
            VIRTUAL_SERVICE_DOC + "#HTTPMatchRequest",
            yaml -> {
              Scenario.Builder scenario =
                  Scenario.named("catalog routed by absent and present headers")
                      .service("catalog", s -> s.version("v1").version("v2"))
                      .client("client")
                      .istio("mesh-http-route-without-headers.yaml", yaml);
              routedOnlyTo(scenario, "catalog", "/without", Map.of(), "v2");
              routedOnlyTo(scenario, "catalog", "/without", Map.of("end-user", "bob"), "v2");
              routedOnlyTo(scenario, "catalog", "/without", Map.of("end-user", "jason"), "v1");
              routedOnlyTo(scenario, "catalog", "/present", Map.of("x-canary", "1"), "v2");
              routedOnlyTo(scenario, "catalog", "/present", Map.of(), "v1");
              routedOnlyTo(scenario, "catalog", "/absent", Map.of(), "v2");
              routedOnlyTo(scenario, "catalog", "/absent", Map.of("x-canary", "1"), "v1");
              return scenario.build();
            }),
        new ConformanceTest(
            "mesh-http-route-header-match",
            Feature.MeshHTTPRouteHeaderMatch,
            "Requests with header end-user: jason go to reviews v2; all others to v1 (first"
                + " matching rule wins).",
            VIRTUAL_SERVICE_DOC + "#HTTPMatchRequest",
            yaml ->
                Scenario.named("reviews routed by end-user header")
                    .service("reviews", s -> s.version("v1").version("v2"))
                    .client("productpage")
                    .istio("mesh-http-route-header-match.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("jason")
                                .from("productpage")
                                .get("http://reviews/reviews/1")
                                .header("end-user", "jason")
                                .requests(50))
                    .traffic(
                        t ->
                            t.named("anonymous")
                                .from("productpage")
                                .get("http://reviews/reviews/1")
                                .requests(50))
                    .expect(
                        split("reviews")
                            .forTraffic("jason")
                            .byVersion(Map.of("v1", 0.0, "v2", 1.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(
                        split("reviews")
                            .forTraffic("anonymous")
                            .byVersion(Map.of("v1", 1.0, "v2", 0.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-http-route-path-match",
            Feature.MeshHTTPRoutePathMatch,
            "URI prefix /v2/, regex ^/beta/[0-9]+$, exact /exact and case-insensitive prefix"
                + " /case/ route to catalog v2; near misses (/beta/x42, /exact/more) and other"
                + " paths to v1.",
            VIRTUAL_SERVICE_DOC + "#HTTPMatchRequest",
            yaml -> {
              Scenario.Builder scenario =
                  Scenario.named("catalog routed by path")
                      .service("catalog", s -> s.version("v1").version("v2"))
                      .client("client")
                      .istio("mesh-http-route-path-match.yaml", yaml);
              // path -> the only version that may serve it
              Map<String, String> cases = new java.util.LinkedHashMap<>();
              cases.put("/v2/items", "v2");
              cases.put("/beta/42", "v2");
              cases.put("/beta/x42", "v1");
              cases.put("/exact", "v2");
              cases.put("/exact/more", "v1");
              cases.put("/CaSe/items", "v2");
              cases.put("/items", "v1");
              cases.forEach((path, version) -> servedOnlyBy(scenario, path, "GET", path, version));
              return scenario.build();
            }),
        new ConformanceTest(
            "mesh-http-route-query-param-match",
            Feature.MeshHTTPRouteQueryParamMatch,
            "Query parameters version=v2 (exact), canary (present) and user=beta-<n> (regex) route"
                + " to catalog v2; near misses (version=v2x, Version=v2, a second version=v2 after"
                + " version=v1, canaryx, user=beta-x, version=v%32, no query) to v1.",
            VIRTUAL_SERVICE_DOC + "#HTTPMatchRequest",
            yaml -> {
              Scenario.Builder scenario =
                  Scenario.named("catalog routed by query parameters")
                      .service("catalog", s -> s.version("v1").version("v2"))
                      .client("client")
                      .istio("mesh-http-route-query-param-match.yaml", yaml);
              Map<String, String> cases = new java.util.LinkedHashMap<>();
              cases.put("/items?version=v2", "v2");
              cases.put("/items?a=1&version=v2", "v2");
              cases.put("/items?canary", "v2");
              cases.put("/items?canary=", "v2");
              cases.put("/items?user=beta-42", "v2");
              cases.put("/items?version=v2x", "v1");
              cases.put("/items?Version=v2", "v1");
              cases.put("/items?version=v1&version=v2", "v1");
              cases.put("/items?canaryx=1", "v1");
              cases.put("/items?user=beta-x", "v1");
              // Envoy compares the raw value: a percent-encoded v2 is not v2.
              cases.put("/items?version=v%32", "v1");
              cases.put("/items", "v1");
              cases.forEach((path, version) -> servedOnlyBy(scenario, path, "GET", path, version));
              return scenario.build();
            }),
        new ConformanceTest(
            "mesh-http-route-method-match",
            Feature.MeshHTTPRouteMethodMatch,
            "POST (exact) and PUT or PATCH (regex) route to catalog v2; GET, DELETE and OPTIONS to"
                + " v1.",
            VIRTUAL_SERVICE_DOC + "#HTTPMatchRequest",
            yaml -> {
              Scenario.Builder scenario =
                  Scenario.named("catalog routed by method")
                      .service("catalog", s -> s.version("v1").version("v2"))
                      .client("client")
                      .istio("mesh-http-route-method-match.yaml", yaml);
              Map<String, String> cases = new java.util.LinkedHashMap<>();
              cases.put("POST", "v2");
              cases.put("PUT", "v2");
              cases.put("PATCH", "v2");
              cases.put("GET", "v1");
              cases.put("DELETE", "v1");
              cases.put("OPTIONS", "v1");
              cases.forEach(
                  (method, version) -> servedOnlyBy(scenario, method, method, "/items", version));
              return scenario.build();
            }),
        new ConformanceTest(
            "mesh-http-rewrite",
            Feature.MeshHTTPRewrite,
            "rewrite.uri replaces the matched prefix /old/ with /new/ (query kept) and"
                + " rewrite.authority the Host; uriRegexRewrite turns /items/abc/42 into"
                + " /v2/42/abc; as catalog v2 received them. Paths the rules do not match"
                + " (/older) reach v1 unchanged, and /items/ABC/42 reaches v2 unchanged.",
            VIRTUAL_SERVICE_DOC + "#HTTPRewrite",
            yaml ->
                Scenario.named("catalog paths rewritten")
                    .service("catalog", s -> s.version("v1").version("v2"))
                    .client("client")
                    .istio("mesh-http-rewrite.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("prefix")
                                .from("client")
                                .get("http://catalog/old/items?a=1")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("regex")
                                .from("client")
                                .get("http://catalog/items/abc/42")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("near-prefix")
                                .from("client")
                                .get("http://catalog/older")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("near-regex")
                                .from("client")
                                .get("http://catalog/items/ABC/42")
                                .requests(10))
                    .expect(
                        response()
                            .forTraffic("prefix")
                            .status(200)
                            .header("x-echo-version", "v2")
                            .receivedPath("/new/items?a=1")
                            .receivedAuthority("catalog-internal")
                            .receivedHeader("x-envoy-original-path", "/old/items?a=1"))
                    .expect(
                        response()
                            .forTraffic("regex")
                            .header("x-echo-version", "v2")
                            .receivedPath("/v2/42/abc")
                            .receivedAuthority("catalog"))
                    .expect(
                        response()
                            .forTraffic("near-prefix")
                            .header("x-echo-version", "v1")
                            .receivedPath("/older")
                            .receivedHeaderAbsent("x-envoy-original-path"))
                    .expect(
                        response()
                            .forTraffic("near-regex")
                            .header("x-echo-version", "v2")
                            .receivedPath("/items/ABC/42")
                            // Envoy applies a regex rewrite that changes nothing all the same.
                            .receivedHeader("x-envoy-original-path", "/items/ABC/42"))
                    .build()),
        new ConformanceTest(
            "mesh-http-redirect",
            Feature.MeshHTTPRedirect,
            "The proxy answers /moved?x=1 with Istio's default 301 to http://catalog-new/here?x=1"
                + " (query kept) and /secure/a with 308 to https://catalog:8443/secure/a, without"
                + " calling catalog; /moved/not is not redirected and reaches catalog.",
            VIRTUAL_SERVICE_DOC + "#HTTPRedirect",
            yaml ->
                Scenario.named("catalog redirects")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-http-redirect.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("moved")
                                .from("client")
                                .get("http://catalog/moved?x=1")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("secure")
                                .from("client")
                                .get("http://catalog/secure/a")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("not-moved")
                                .from("client")
                                .get("http://catalog/moved/not")
                                .requests(10))
                    .expect(
                        response()
                            .forTraffic("moved")
                            .status(301)
                            .header("location", "http://catalog-new/here?x=1")
                            .headerAbsent("x-echo-instance")
                            .body(""))
                    .expect(
                        response()
                            .forTraffic("secure")
                            .status(308)
                            .header("location", "https://catalog:8443/secure/a")
                            .headerAbsent("x-echo-instance"))
                    .expect(
                        response()
                            .forTraffic("not-moved")
                            .status(200)
                            .headerAbsent("location")
                            .receivedPath("/moved/not"))
                    .build()),
        new ConformanceTest(
            "mesh-http-header-modifier",
            Feature.MeshHTTPHeaderModifier,
            "On /modified the proxy sets x-set (overwriting the app's), appends to x-add, removes"
                + " x-remove and adds the destination's x-destination before catalog v2 receives"
                + " the request, and sets x-response-set and removes x-echo-version on the answer;"
                + " other paths keep every header as sent.",
            VIRTUAL_SERVICE_DOC + "#Headers",
            yaml -> {
              Scenario.Builder scenario =
                  Scenario.named("catalog headers modified")
                      .service("catalog", s -> s.version("v1").version("v2"))
                      .client("client")
                      .istio("mesh-http-header-modifier.yaml", yaml);
              for (String path : List.of("/modified", "/other")) {
                scenario.traffic(
                    t ->
                        t.named(path)
                            .from("client")
                            .get("http://catalog" + path)
                            .header("x-set", "app")
                            .header("x-add", "app")
                            .header("x-remove", "app")
                            .requests(10));
              }
              return scenario
                  .expect(
                      response()
                          .forTraffic("/modified")
                          .status(200)
                          .receivedHeader("x-set", "mesh")
                          .receivedHeader("x-add", "app,mesh")
                          .receivedHeaderAbsent("x-remove")
                          .receivedHeader("x-destination", "v2")
                          .header("x-response-set", "mesh")
                          .headerAbsent("x-echo-version")
                          .header("x-echo-service", "catalog"))
                  .expect(
                      response()
                          .forTraffic("/other")
                          .status(200)
                          .receivedHeader("x-set", "app")
                          .receivedHeader("x-add", "app")
                          .receivedHeader("x-remove", "app")
                          .receivedHeaderAbsent("x-destination")
                          .headerAbsent("x-response-set")
                          .header("x-echo-version", "v1"))
                  .build();
            }),
        new ConformanceTest(
            "mesh-direct-response",
            Feature.MeshDirectResponse,
            "The proxy answers /maintenance with 503, the body \"down for maintenance\" and"
                + " retry-after: 120, without calling catalog; /maintained is not matched and"
                + " reaches catalog.",
            VIRTUAL_SERVICE_DOC + "#HTTPDirectResponse",
            yaml ->
                Scenario.named("catalog direct response")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-direct-response.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("maintenance")
                                .from("client")
                                .get("http://catalog/maintenance/x")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("served")
                                .from("client")
                                .get("http://catalog/maintained")
                                .requests(10))
                    .expect(
                        response()
                            .forTraffic("maintenance")
                            .status(503)
                            .body("down for maintenance")
                            .header("retry-after", "120")
                            .header("content-type", "text/plain")
                            .headerAbsent("x-echo-instance"))
                    .expect(
                        response()
                            .forTraffic("served")
                            .status(200)
                            .header("x-echo-service", "catalog")
                            .receivedPath("/maintained"))
                    .build()),
        new ConformanceTest(
            "mesh-cors",
            Feature.MeshCORS,
            "The proxy answers a preflight from an allowed origin itself (200, the allow headers,"
                + " no call to catalog); a preflight from another origin is forwarded to catalog"
                + " without them; an actual request from an allowed origin gets"
                + " access-control-allow-origin, credentials and exposed headers on catalog's"
                + " answer, one from another origin (or differing only in case) gets none.",
            VIRTUAL_SERVICE_DOC + "#CorsPolicy",
            yaml ->
                Scenario.named("catalog CORS policy")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-cors.yaml", yaml)
                    .traffic(t -> preflight(t, "preflight", "https://shop.example"))
                    .traffic(t -> preflight(t, "preflight-other", "https://evil.example"))
                    .traffic(
                        t ->
                            t.named("actual")
                                .from("client")
                                .get("http://catalog/items")
                                .header("origin", "https://app.partner.example")
                                .requests(10))
                    .traffic(
                        t ->
                            t.named("actual-other")
                                .from("client")
                                .get("http://catalog/items")
                                .header("origin", "https://SHOP.example")
                                .requests(10))
                    .expect(
                        response()
                            .forTraffic("preflight")
                            .status(200)
                            .header("access-control-allow-origin", "https://shop.example")
                            .header("access-control-allow-methods", "GET,POST")
                            .header("access-control-allow-headers", "x-custom")
                            .header("access-control-max-age", "600")
                            .header("access-control-allow-credentials", "true")
                            .headerAbsent("x-echo-service"))
                    .expect(
                        response()
                            .forTraffic("preflight-other")
                            .header("x-echo-service", "catalog")
                            .headerAbsent("access-control-allow-origin")
                            .headerAbsent("access-control-allow-methods"))
                    .expect(
                        response()
                            .forTraffic("actual")
                            .status(200)
                            .header("x-echo-service", "catalog")
                            .header("access-control-allow-origin", "https://app.partner.example")
                            .header("access-control-allow-credentials", "true")
                            .header("access-control-expose-headers", "x-echo-version"))
                    .expect(
                        response()
                            .forTraffic("actual-other")
                            .status(200)
                            .header("x-echo-service", "catalog")
                            .headerAbsent("access-control-allow-origin")
                            .headerAbsent("access-control-expose-headers"))
                    .build()),
        new ConformanceTest(
            "mesh-outbound-traffic-policy-allow-any",
            Feature.MeshOutboundTrafficPolicy,
            "With Istio's default ALLOW_ANY, a host outside the registry takes the allow_any"
                + " catch-all: a name (or an address off loopback) finds no host there, 503 \"no"
                + " healthy upstream\", not 404 NR, and never leaves loopback; catalog, in the"
                + " registry, is still routed to its service.",
            MESH_CONFIG_DOC + "#MeshConfig-OutboundTrafficPolicy-Mode",
            yaml -> outboundTrafficPolicy(yaml, OutboundTrafficPolicy.ALLOW_ANY)),
        new ConformanceTest(
            "mesh-outbound-traffic-policy-registry-only",
            Feature.MeshOutboundTrafficPolicy,
            "With REGISTRY_ONLY, every host outside the registry (a name, an address) is answered"
                + " 502 with no body by the block_all catch-all; catalog, in the registry, is still"
                + " routed to its service.",
            MESH_CONFIG_DOC + "#MeshConfig-OutboundTrafficPolicy-Mode",
            yaml -> outboundTrafficPolicy(yaml, OutboundTrafficPolicy.REGISTRY_ONLY)),
        new ConformanceTest(
            "mesh-control-plane-outage",
            Feature.MeshControlPlaneOutage,
            "With the control plane down for the whole traffic, 1,000 requests still split 90/10 by"
                + " the last configuration the proxies accepted, and all succeed.",
            "https://istio.io/latest/docs/ops/deployment/architecture/#istiod",
            yaml ->
                Scenario.named("catalog canary during an istiod outage")
                    .service("catalog", s -> s.version("v1").version("v2"))
                    .client("client")
                    .istio("mesh-control-plane-outage.yaml", yaml)
                    .chaos(c -> c.at(Duration.ZERO, Chaos.controlPlaneOutage()))
                    .traffic(t -> t.from("client").get("http://catalog/").requests(1_000))
                    .expect(
                        split("catalog")
                            .byVersion(Map.of("v1", 0.9, "v2", 0.1))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-timeouts",
            Feature.MeshTimeouts,
            "A 200 ms route timeout cuts off a service that takes 1 s: every request ends 504 UT"
                + " after 200 ms (at most 250 ms late) with one attempt; a route without a timeout"
                + " waits 400 ms for its answer.",
            VIRTUAL_SERVICE_DOC + "#HTTPRoute",
            yaml ->
                Scenario.named("catalog route timeout")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-timeouts.yaml", yaml)
                    // Warms both proxies' request paths so the first timed batch measures the
                    // timeout, not class loading on a busy machine.
                    .traffic(
                        t ->
                            t.named("warm-up")
                                .from("client")
                                .get("http://catalog/timed")
                                .requests(10)
                                .concurrency(5))
                    .traffic(
                        t ->
                            t.named("timed")
                                .from("client")
                                .get("http://catalog/timed?delay=1s")
                                .requests(20)
                                .concurrency(5))
                    .traffic(
                        t ->
                            t.named("untimed")
                                .from("client")
                                .get("http://catalog/untimed?delay=400ms")
                                .requests(5)
                                .concurrency(5))
                    .expect(responseFlag("UT").forTraffic("timed"))
                    // Envoy's timers may fire a few ms early against the client's clock.
                    .expect(
                        latency()
                            .forTraffic("timed")
                            .atLeast(Duration.ofMillis(190))
                            .atMost(Duration.ofMillis(200), Duration.ofMillis(250)))
                    .expect(attempts().forTraffic("timed").neverRetried())
                    .expect(
                        latency()
                            .forTraffic("untimed")
                            .atLeast(Duration.ofMillis(400))
                            .atMost(Duration.ofMillis(400), Duration.ofMillis(400)))
                    .expect(
                        split("catalog")
                            .forTraffic("untimed")
                            .byVersion(Map.of("v1", 1.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-per-try-timeout",
            Feature.MeshPerTryTimeout,
            "perTryTimeout 250 ms with 2 retries on gateway-error: a 1 s service gets 3 attempts of"
                + " 250 ms each, then 504 UT within the 2 s route timeout; a 20 ms service is never"
                + " retried.",
            VIRTUAL_SERVICE_DOC + "#HTTPRetry",
            yaml ->
                Scenario.named("catalog per-try timeout")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-per-try-timeout.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("warm-up")
                                .from("client")
                                .get("http://catalog/")
                                .requests(10)
                                .concurrency(RETRY_CONCURRENCY))
                    .traffic(
                        t ->
                            t.named("slow")
                                .from("client")
                                .get("http://catalog/?delay=1s")
                                .requests(10)
                                .concurrency(RETRY_CONCURRENCY))
                    .traffic(
                        t ->
                            t.named("quick")
                                .from("client")
                                .get("http://catalog/?delay=20ms")
                                .requests(10)
                                .concurrency(5))
                    .expect(attempts().forTraffic("slow").exactly(3))
                    .expect(responseFlag("UT").forTraffic("slow"))
                    // 3 x 250 ms plus at most 25 + 50 ms of back-off, and a scheduling margin.
                    .expect(
                        latency()
                            .forTraffic("slow")
                            .atLeast(Duration.ofMillis(740))
                            .atMost(Duration.ofMillis(825), Duration.ofMillis(250)))
                    .expect(attempts().forTraffic("quick").neverRetried())
                    .expect(
                        split("catalog")
                            .forTraffic("quick")
                            .byVersion(Map.of("v1", 1.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-retries",
            Feature.MeshRetries,
            "retries.attempts 3 on 5xx: a service failing the first 2 attempts of each request"
                + " succeeds on the 3rd; one failing 5 gets 4 attempts and its 503; a 500 under a"
                + " route retrying only gateway-error is not retried.",
            VIRTUAL_SERVICE_DOC + "#HTTPRetry",
            yaml ->
                Scenario.named("catalog retries")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-retries.yaml", yaml)
                    .traffic(
                        t ->
                            t.named("flaky")
                                .from("client")
                                .get("http://catalog/retry?succeedAfter=2&responseCode=503")
                                .requests(20)
                                .concurrency(RETRY_CONCURRENCY))
                    .traffic(
                        t ->
                            t.named("broken")
                                .from("client")
                                .get("http://catalog/retry?succeedAfter=5&responseCode=503")
                                .requests(10)
                                .concurrency(RETRY_CONCURRENCY))
                    .traffic(
                        t ->
                            t.named("outside-retry-on")
                                .from("client")
                                .get("http://catalog/retry?succeedAfter=1&responseCode=500")
                                .header("x-retry-policy", "gateway-error")
                                .requests(10)
                                .concurrency(5))
                    .expect(attempts().forTraffic("flaky").exactly(3))
                    .expect(
                        split("catalog")
                            .forTraffic("flaky")
                            .byVersion(Map.of("v1", 1.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .expect(attempts().forTraffic("broken").exactly(4))
                    .expect(attempts().forTraffic("outside-retry-on").neverRetried())
                    .build()),
        retriesDefault(
            "mesh-retries-default",
            IstioVersion.CURRENT,
            "Istio "
                + IstioVersion.CURRENT.major()
                + "."
                + IstioVersion.CURRENT.minor()
                + "'s default retry policy (no retries set) does not retry a 503: each request"
                + " makes one attempt and gets the 503.",
            1),
        retriesDefault(
            "mesh-retries-default-istio-1-23",
            IstioVersion.of("1.23"),
            "Under Istio 1.23's default retry policy (retriable_status_codes [503]) the same 503 is"
                + " retried: each request makes 2 attempts and succeeds.",
            2),
        new ConformanceTest(
            "mesh-connection-pool-overflow",
            Feature.MeshConnectionPool,
            "Seed book ch. 6 circuit breaking: maxConnections 1 and http1MaxPendingRequests 1 in"
                + " front of a catalog answering in 200 ms; 40 requests, 10 at a time: some are"
                + " refused at once with 503 and x-envoy-overloaded: true (UO).",
            DESTINATION_RULE_DOC + "#ConnectionPoolSettings",
            yaml ->
                Scenario.named("catalog circuit breaker overflows")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-connection-pool-overflow.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                Duration.ZERO,
                                Chaos.service("catalog").latency(Duration.ofMillis(200))))
                    .traffic(
                        t -> t.from("client").get("http://catalog/").requests(40).concurrency(10))
                    .expect(overflows().atLeast(1))
                    .build()),
        new ConformanceTest(
            "mesh-connection-pool-below-limit",
            Feature.MeshConnectionPool,
            "The same limits with one request at a time: nothing overflows and all succeed.",
            DESTINATION_RULE_DOC + "#ConnectionPoolSettings",
            yaml ->
                Scenario.named("catalog circuit breaker below its limits")
                    .service("catalog", s -> s.version("v1"))
                    .client("client")
                    .istio("mesh-connection-pool-below-limit.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                Duration.ZERO,
                                Chaos.service("catalog").latency(Duration.ofMillis(20))))
                    .traffic(t -> t.from("client").get("http://catalog/").requests(40))
                    .expect(overflows().none())
                    .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-outlier-detection-eject",
            Feature.MeshOutlierDetection,
            "Seed book ch. 6 outlier detection: one of catalog's 3 replicas answers 500;"
                + " consecutive5xxErrors 1, baseEjectionTime 30s, maxEjectionPercent 100: its first"
                + " 500 ejects it and it serves nothing more of 150 round-robin requests.",
            DESTINATION_RULE_DOC + "#OutlierDetection",
            yaml ->
                Scenario.named("failing catalog replica ejected")
                    .service("catalog", s -> s.version("v1", 3))
                    .client("client")
                    .istio("mesh-outlier-detection-eject.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                Duration.ZERO,
                                Chaos.service("catalog")
                                    .instance("catalog-v1-0")
                                    .errors(1.0, "500")))
                    .traffic(t -> t.from("client").get("http://catalog/").requests(150))
                    .expect(servedBy("catalog-v1-0").atMost(1))
                    .expect(successRate().atLeast(0.95).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-outlier-detection-readmit",
            Feature.MeshOutlierDetection,
            "The ejection window: one of 3 replicas answers 500; consecutive5xxErrors 1, interval"
                + " 100ms, baseEjectionTime 1s. A request every 20 ms for 2.4 s: after its first"
                + " 500 the replica serves nothing for at least 1 s (absence by chance (2/3)^k <"
                + " alpha 5e-6), and it is re-admitted at an interval tick, within 1.5 s.",
            DESTINATION_RULE_DOC + "#OutlierDetection",
            yaml ->
                Scenario.named("failing catalog replica ejected, then re-admitted")
                    .service("catalog", s -> s.version("v1", 3))
                    .client("client")
                    .istio("mesh-outlier-detection-readmit.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                Duration.ZERO,
                                Chaos.service("catalog")
                                    .instance("catalog-v1-0")
                                    .errors(1.0, "500")))
                    .traffic(
                        t ->
                            t.from("client")
                                .get("http://catalog/")
                                .requests(120)
                                .every(Duration.ofMillis(20)))
                    .expect(
                        ejection("catalog-v1-0")
                            .lastsAtLeast(Duration.ofSeconds(1))
                            .readmittedWithin(Duration.ofMillis(1500))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        new ConformanceTest(
            "mesh-outlier-detection-cap",
            Feature.MeshOutlierDetection,
            "Negative case: maxEjectionPercent 30 forbids ejecting 1 of 3 hosts (33%), so the"
                + " failing replica keeps its third of 150 round-robin requests (chi-square, alpha"
                + " 5e-6).",
            DESTINATION_RULE_DOC + "#OutlierDetection",
            yaml ->
                Scenario.named("failing catalog replica kept by the ejection cap")
                    .service("catalog", s -> s.version("v1", 3))
                    .client("client")
                    .istio("mesh-outlier-detection-cap.yaml", yaml)
                    .chaos(
                        c ->
                            c.at(
                                Duration.ZERO,
                                Chaos.service("catalog")
                                    .instance("catalog-v1-0")
                                    .errors(1.0, "500")))
                    .traffic(t -> t.from("client").get("http://catalog/").requests(150))
                    .expect(
                        split("catalog")
                            .byInstance(
                                Map.of(
                                    "catalog-v1-0", 1 / 3.0,
                                    "catalog-v1-1", 1 / 3.0,
                                    "catalog-v1-2", 1 / 3.0))
                            .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                    .build()),
        loadBalancing(
            "mesh-load-balancer-round-robin",
            "ROUND_ROBIN spreads 300 sequential requests evenly over catalog's 3 endpoints."),
        loadBalancing(
            "mesh-load-balancer-random",
            "RANDOM spreads 300 sequential requests evenly over catalog's 3 endpoints."),
        loadBalancing(
            "mesh-load-balancer-least-request",
            "Istio's default LEAST_REQUEST (no loadBalancer set) spreads 300 sequential requests"
                + " evenly over catalog's 3 endpoints: with nothing in flight every pick is a tie."));
  }

  /**
   * A route without {@code retries} in front of a service that answers 503 to the first attempt of
   * each request: the Istio release decides whether the default retry policy retries it.
   */
  private static ConformanceTest retriesDefault(
      String id, IstioVersion version, String description, int attemptsPerRequest) {
    return new ConformanceTest(
        id,
        Feature.MeshRetriesDefault,
        description,
        "https://istio.io/latest/docs/concepts/traffic-management/#retries",
        yaml -> {
          Scenario.Builder scenario =
              Scenario.named(id)
                  .istioVersion(version)
                  .service("catalog", s -> s.version("v1"))
                  .client("client")
                  .istio(id + ".yaml", yaml)
                  .traffic(
                      t ->
                          t.from("client")
                              .get("http://catalog/retry?succeedAfter=1&responseCode=503")
                              .requests(20)
                              .concurrency(RETRY_CONCURRENCY))
                  .expect(attempts().exactly(attemptsPerRequest));
          if (attemptsPerRequest > 1) {
            scenario.expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA));
          }
          return scenario.build();
        });
  }

  /** Sends 30 requests for {@code path} and expects every one served by {@code version}. */
  /**
   * Relative weights: {@code a} to v1 and {@code b} to v2, 2,000 requests split a/(a+b) and b/(a+b)
   * (chi-square goodness of fit, alpha 5e-6).
   */
  private static ConformanceTest weights(int a, int b) {
    String id = "mesh-http-route-weight-" + a + "-" + b;
    double v1 = (double) a / (a + b);
    return new ConformanceTest(
        id,
        Feature.MeshHTTPRouteWeight,
        "Destination weights "
            + a
            + " and "
            + b
            + " (sum "
            + (a + b)
            + ") are relative: 2,000 requests split "
            + Math.round(v1 * 100)
            + "/"
            + Math.round((1 - v1) * 100)
            + " (chi-square goodness of fit, alpha 5e-6) and all succeed.",
        VIRTUAL_SERVICE_DOC + "#HTTPRouteDestination",
        yaml ->
            Scenario.named("catalog split by weights " + a + "/" + b)
                .service("catalog", s -> s.version("v1").version("v2"))
                .client("client")
                .istio(id + ".yaml", yaml)
                .traffic(t -> t.from("client").get("http://catalog/").requests(2_000))
                .expect(
                    split("catalog")
                        .byVersion(Map.of("v1", v1, "v2", 1 - v1))
                        .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .build());
  }

  /** Requests to {@code path} with {@code headers} are served by {@code version} only. */
  private static void routedOnlyTo(
      Scenario.Builder scenario,
      String service,
      String path,
      Map<String, String> headers,
      String version) {
    String other = version.equals("v1") ? "v2" : "v1";
    String name = path + (headers.isEmpty() ? " without headers" : " with " + headers);
    scenario
        .traffic(
            t -> {
              t.named(name).from("client").get("http://" + service + path).requests(30);
              new java.util.TreeMap<>(headers).forEach(t::header);
            })
        .expect(
            split(service)
                .forTraffic(name)
                .byVersion(Map.of(version, 1.0, other, 0.0))
                .atAlpha(FalseAlarmBudget.VERDICT_ALPHA));
  }

  /**
   * Traffic {@code name} ({@code method} {@code path} to catalog, 10 requests) must be served by
   * catalog {@code version} every time: an exact check (routing is deterministic), no alpha spent.
   */
  private static void servedOnlyBy(
      Scenario.Builder scenario, String name, String method, String path, String version) {
    scenario
        .traffic(
            t -> t.named(name).from("client").request(method, "http://catalog" + path).requests(10))
        .expect(response().forTraffic(name).status(200).header("x-echo-version", version));
  }

  private static void routedOnlyTo(
      Scenario.Builder scenario, String service, String path, String version) {
    String other = version.equals("v1") ? "v2" : "v1";
    scenario
        .traffic(t -> t.named(path).from("client").get("http://" + service + path).requests(30))
        .expect(
            split(service)
                .forTraffic(path)
                .byVersion(Map.of(version, 1.0, other, 0.0))
                .atAlpha(FalseAlarmBudget.VERDICT_ALPHA));
  }

  /**
   * Three replicas of one version behind a DestinationRule; the split by instance is tested against
   * uniform with chi-square at alpha 5e-6 (round robin is exact, the others random but seeded).
   */
  private static ConformanceTest loadBalancing(String id, String description) {
    return new ConformanceTest(
        id,
        Feature.MeshLoadBalancing,
        description,
        DESTINATION_RULE_DOC + "#LoadBalancerSettings",
        yaml ->
            Scenario.named(id)
                .service("catalog", s -> s.version("v1", 3))
                .client("client")
                .istio(id + ".yaml", yaml)
                .traffic(t -> t.from("client").get("http://catalog/").requests(300))
                .expect(
                    split("catalog")
                        .byInstance(
                            Map.of(
                                "catalog-v1-0", 1 / 3.0,
                                "catalog-v1-1", 1 / 3.0,
                                "catalog-v1-2", 1 / 3.0))
                        .atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .expect(successRate().atLeast(0.999).atAlpha(FalseAlarmBudget.VERDICT_ALPHA))
                .build());
  }

  /**
   * Unknown hosts under {@code policy}: a name and an address off loopback are answered by the
   * catch-all virtual host (503 UH under ALLOW_ANY, 502 under REGISTRY_ONLY) without reaching any
   * echo; the registered catalog is the near miss that must still be served.
   */
  private static Scenario outboundTrafficPolicy(String yaml, OutboundTrafficPolicy policy) {
    boolean allowAny = policy == OutboundTrafficPolicy.ALLOW_ANY;
    Scenario.Builder scenario =
        Scenario.named("unknown hosts under " + policy)
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .outboundTrafficPolicy(policy)
            .istio(
                "mesh-outbound-traffic-policy-" + policy.name().toLowerCase(Locale.ROOT) + ".yaml",
                yaml)
            .traffic(t -> t.named("registered").from("client").get("http://catalog/").requests(10))
            .expect(
                response()
                    .forTraffic("registered")
                    .status(200)
                    .header("x-echo-service", "catalog"));
    Map<String, String> unknown =
        Map.of(
            "unknown-name", "http://httpbin.example.com/get",
            "off-loopback", "http://10.255.255.1:80/");
    for (Map.Entry<String, String> target : new java.util.TreeMap<>(unknown).entrySet()) {
      scenario
          .traffic(t -> t.named(target.getKey()).from("client").get(target.getValue()).requests(10))
          .expect(
              response()
                  .forTraffic(target.getKey())
                  .status(allowAny ? 503 : 502)
                  .body(allowAny ? "no healthy upstream" : "")
                  .headerAbsent("x-echo-service"));
    }
    return scenario.build();
  }

  /** A CORS preflight for POST with {@code x-custom} from {@code origin}, 10 times. */
  private static void preflight(
      dev.meshproof.scenario.traffic.TrafficSpec.Builder t, String name, String origin) {
    t.named(name)
        .from("client")
        .request("OPTIONS", "http://catalog/items")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "x-custom")
        .requests(10);
  }
}
