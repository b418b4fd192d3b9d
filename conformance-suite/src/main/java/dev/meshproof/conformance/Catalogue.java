package dev.meshproof.conformance;

import static dev.meshproof.scenario.expect.Expectations.response;

import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.yaml.ScenarioFile;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The conformance catalogue: every test Meshproof runs against a target. Each encodes a behaviour
 * the Istio documentation promises, with a stated statistical test where the behaviour is random.
 *
 * <p>The catalogue is data: each entry is a scenario file {@code conformance/<id>.scenario.yaml}
 * (listed in {@code conformance/catalogue.txt}) whose {@code metadata} holds its id, feature,
 * description and spec reference, beside the Istio manifest {@code conformance/<id>.yaml} it
 * applies. A user copies one as a starting point. Entries that genuinely need code go in {@link
 * #javaEntries()}.
 */
public final class Catalogue {
  static final String DIRECTORY = "conformance/";
  static final String INDEX = DIRECTORY + "catalogue.txt";

  private static final String VIRTUAL_SERVICE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/virtual-service/";

  private static final String MESH_CONFIG_DOC =
      "https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/";

  private static final String DESTINATION_RULE_DOC =
      "https://istio.io/latest/docs/reference/config/networking/destination-rule/";

  private Catalogue() {}

  public static List<ConformanceTest> all() {
    List<ConformanceTest> tests = new ArrayList<>(fromFiles());
    tests.addAll(javaEntries());
    // Mirroring and fault injection, Java-only until their expectations have a file form.
    tests.addAll(TrafficCatalogue.all());
    return List.copyOf(tests);
  }

  /** The entries written as scenario files, in the order of {@code catalogue.txt}. */
  public static List<ConformanceTest> fromFiles() {
    return Arrays.stream(resource(INDEX).orElseThrow(() -> missing(INDEX)).split("\n"))
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(Catalogue::fromFile)
        .toList();
  }

  /**
   * Entries built with the Java DSL; each names its manifest {@code conformance/<id>.yaml} as the
   * scenario-file entries do. The route-action and method/query-match entries stay here until the
   * exact {@code response()} expectation has a scenario-file form.
   */
  static List<ConformanceTest> javaEntries() {
    return List.of(
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
            yaml -> outboundTrafficPolicy(yaml, OutboundTrafficPolicy.REGISTRY_ONLY)));
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

  /** The scenario file {@code name} of the catalogue, read with the manifests beside it. */
  static ScenarioFile scenarioFile(String name) {
    String path = DIRECTORY + name;
    return ScenarioYaml.parse(
        path,
        resource(path).orElseThrow(() -> missing(path)),
        relative -> resource(DIRECTORY + relative));
  }

  private static ConformanceTest fromFile(String name) {
    return entry(name, scenarioFile(name));
  }

  /** The entry a scenario file describes in its {@code metadata}. */
  static ConformanceTest entry(String name, ScenarioFile file) {
    String id = metadata(file, "id");
    if (!name.equals(id + ".scenario.yaml")) {
      throw new IllegalStateException(
          DIRECTORY + name + ": metadata.id " + id + " (expected: the file's base name)");
    }
    Feature feature;
    try {
      feature = Feature.valueOf(metadata(file, "feature"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          DIRECTORY
              + name
              + ": metadata.feature "
              + metadata(file, "feature")
              + " (expected one of "
              + Arrays.toString(Feature.values())
              + ")",
          e);
    }
    return new ConformanceTest(
        id,
        feature,
        metadata(file, "description"),
        metadata(file, "specReference"),
        manifest -> file.scenario());
  }

  private static String metadata(ScenarioFile file, String key) {
    return file.metadata(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    file.source() + ": metadata." + key + " is missing (expected in every entry)"));
  }

  static Optional<String> resource(String path) {
    try (InputStream in = Catalogue.class.getClassLoader().getResourceAsStream(path)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static IllegalStateException missing(String path) {
    return new IllegalStateException(path + " is missing from the conformance catalogue");
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
