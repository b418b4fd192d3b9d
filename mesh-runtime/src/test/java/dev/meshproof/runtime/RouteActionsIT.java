package dev.meshproof.runtime;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Route actions and the request matches beyond path and headers, on both data planes with the same
 * translation: rewrite (prefix, regex, authority), redirect, direct response, header changes on the
 * request and the response (route and destination level), and query parameter, method and scheme
 * matches with their near misses. Each forwarded case is judged by what the app received (path,
 * Host, headers), each local answer by status, {@code location} and body. The expected values are
 * what Envoy 1.40 does; the embedded sidecar must do the same.
 */
class RouteActionsIT {

  static final String VIRTUAL_SERVICE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - name: rewrite
          match:
          - uri: {prefix: /old/}
          rewrite: {uri: /new/, authority: catalog-rewritten}
          route:
          - destination: {host: catalog, subset: v1}
        - name: regex
          match:
          - uri: {prefix: /regex/}
          rewrite:
            uriRegexRewrite: {match: "^/regex/([a-z]+)/([0-9]+)$", rewrite: "/r/\\\\2/\\\\1"}
          route:
          - destination: {host: catalog, subset: v1}
        - name: redirect
          match:
          - uri: {exact: /moved}
          redirect: {uri: /here, authority: elsewhere}
        - name: redirect-port
          match:
          - uri: {prefix: /port}
          redirect: {port: 8080, scheme: https, redirectCode: 308}
        - name: direct
          match:
          - uri: {exact: /direct}
          directResponse: {status: 418, body: {string: short and stout}}
          headers:
            response:
              set: {x-direct: "yes"}
        - name: headers
          match:
          - uri: {prefix: /headers}
          headers:
            request:
              set: {x-set: one}
              add: {x-add: two}
              remove: [x-remove]
            response:
              set: {x-resp: set}
              add: {x-app: extra}
              remove: [x-seen-host]
          route:
          - destination: {host: catalog, subset: v1}
            headers:
              request:
                set: {x-dest: v1}
        - name: weighted
          match:
          - uri: {prefix: /weighted}
          headers:
            request:
              set: {x-order: route}
          route:
          - destination: {host: catalog, subset: v1}
            weight: 1
            headers:
              request: {set: {x-order: cluster, x-cluster: v1}}
          - destination: {host: catalog, subset: v2}
            weight: 1
            headers:
              request: {set: {x-order: cluster, x-cluster: v2}}
        - name: query
          match:
          - uri: {prefix: /q}
            queryParams: {version: {exact: v2}}
          - uri: {prefix: /q}
            queryParams: {canary: {}}
          - uri: {prefix: /q}
            method: {exact: POST}
          - uri: {prefix: /scheme-p}
            scheme: {exact: http}
          route:
          - destination: {host: catalog, subset: v2}
        - name: https-only
          match:
          - uri: {prefix: /scheme-s}
            scheme: {exact: https}
          route:
          - destination: {host: catalog, subset: v2}
        - name: no-cluster
          match:
          - uri: {prefix: /nc}
          headers:
            response:
              set: {x-local: "yes"}
          route:
          - destination: {host: catalog, subset: v9}
        - name: default
          route:
          - destination: {host: catalog, subset: v1}
      """;

  @TestFactory
  Stream<DynamicNode> routeActionsBehaveAsEnvoyOnEveryTarget() {
    return Stream.of(
        target("embedded", () -> Mesh.builder().start()),
        target(
            "envoy",
            () -> {
              Assumptions.assumeTrue(
                  EnvoyDataPlane.unavailableReason().isEmpty(),
                  () -> EnvoyDataPlane.unavailableReason().orElse(""));
              return Mesh.builder().dataPlane(EnvoyDataPlane.create()).start();
            }));
  }

  private static DynamicNode target(String name, Supplier<Mesh> meshes) {
    return DynamicTest.dynamicTest(
        name,
        () -> {
          try (Mesh mesh = meshes.get();
              CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
            mesh.apply(CatalogTopology.DESTINATION_RULE + "---\n" + VIRTUAL_SERVICE, "vs.yaml");
            mesh.awaitSynced();
            SoftAssertions soft = new SoftAssertions();
            Client client = spec -> catalog.client().http().send(spec).join();

            HttpOutcome rewritten = client.get("/old/items?a=1");
            soft.assertThat(rewritten.body()).isEqualTo("catalog-v1 /new/items?a=1");
            soft.assertThat(rewritten.header("x-seen-host")).contains("catalog-rewritten");
            soft.assertThat(rewritten.header("x-seen-h-x-envoy-original-path"))
                .contains("/old/items?a=1");

            soft.assertThat(client.get("/regex/abc/42?b=2").body())
                .isEqualTo("catalog-v1 /r/42/abc?b=2");
            soft.assertThat(client.get("/regex/ABC/42").body())
                .isEqualTo("catalog-v1 /regex/ABC/42");

            HttpOutcome moved = client.get("/moved?x=1");
            soft.assertThat(moved.status()).isEqualTo(301);
            soft.assertThat(moved.header("location")).contains("http://elsewhere/here?x=1");
            soft.assertThat(moved.body()).isEmpty();

            HttpOutcome port = client.get("/port/a");
            soft.assertThat(port.status()).isEqualTo(308);
            soft.assertThat(port.header("location")).contains("https://catalog:8080/port/a");

            HttpOutcome direct = client.get("/direct");
            soft.assertThat(direct.status()).isEqualTo(418);
            soft.assertThat(direct.body()).isEqualTo("short and stout");
            soft.assertThat(direct.header("x-direct")).contains("yes");
            soft.assertThat(direct.header("content-type")).contains("text/plain");
            soft.assertThat(client.get("/direct/not").body()).isEqualTo("catalog-v1 /direct/not");

            HttpOutcome headers =
                client.send(
                    get("/headers")
                        .withHeader("x-remove", "gone")
                        .withHeader("x-add", "one")
                        .withHeader("x-set", "zero"));
            soft.assertThat(headers.header("x-seen-h-x-set")).contains("one");
            soft.assertThat(headers.header("x-seen-h-x-add")).contains("one,two");
            soft.assertThat(headers.header("x-seen-h-x-remove")).isEmpty();
            soft.assertThat(headers.header("x-seen-h-x-dest")).contains("v1");
            soft.assertThat(headers.header("x-resp")).contains("set");
            soft.assertThat(headers.headers().get("x-app")).containsExactly("catalog-v1", "extra");
            soft.assertThat(headers.header("x-seen-host")).isEmpty();

            for (int i = 0; i < 6; i++) {
              HttpOutcome weighted = client.get("/weighted");
              String app = weighted.header("x-app").orElse("?");
              soft.assertThat(weighted.header("x-seen-h-x-order")).as("x-order").contains("route");
              soft.assertThat("catalog-" + weighted.header("x-seen-h-x-cluster").orElse("?"))
                  .as("x-cluster")
                  .isEqualTo(app);
            }

            Map<String, String> routed = new java.util.LinkedHashMap<>();
            routed.put("/q?version=v2", "catalog-v2");
            routed.put("/q?a=1&version=v2", "catalog-v2");
            // Envoy compares the raw value: no percent-decoding.
            routed.put("/q?version=v%32", "catalog-v1");
            routed.put("/q?version=v1", "catalog-v1");
            routed.put("/q?version=v2x", "catalog-v1");
            routed.put("/q?Version=v2", "catalog-v1");
            routed.put("/q?version=v1&version=v2", "catalog-v1");
            routed.put("/q?canary", "catalog-v2");
            routed.put("/q?canary=", "catalog-v2");
            routed.put("/q?canaryx=1", "catalog-v1");
            routed.put("/q", "catalog-v1");
            routed.put("/scheme-p", "catalog-v2");
            routed.put("/scheme-s", "catalog-v1");
            routed.forEach(
                (path, app) ->
                    soft.assertThat(client.get(path).header("x-app")).as(path).contains(app));
            HttpRequestSpec post =
                new HttpRequestSpec(
                    "POST",
                    URI.create("http://catalog/q"),
                    Map.of(),
                    new byte[0],
                    HttpRequestSpec.DEFAULT_TIMEOUT);
            soft.assertThat(client.send(post).header("x-app")).as("POST /q").contains("catalog-v2");
            // Envoy's router applies the route's response headers to its own local replies too,
            // and names no content type for an empty body.
            HttpOutcome noCluster = client.get("/nc");
            soft.assertThat(noCluster.status()).isEqualTo(503);
            soft.assertThat(noCluster.header("x-local")).contains("yes");
            soft.assertThat(noCluster.header("content-type")).isEmpty();
            soft.assertAll();
          }
        });
  }

  private static HttpRequestSpec get(String path) {
    return HttpRequestSpec.get("http://catalog" + path);
  }

  @FunctionalInterface
  interface Client {
    HttpOutcome send(HttpRequestSpec spec);

    default HttpOutcome get(String path) {
      return send(RouteActionsIT.get(path));
    }
  }
}
