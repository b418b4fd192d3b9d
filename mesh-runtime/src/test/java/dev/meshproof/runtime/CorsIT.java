package dev.meshproof.runtime;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * VirtualService {@code corsPolicy} on both data planes with the same translation (istiod's CORS
 * filter and per-route {@code CorsPolicy}): the proxy answers a preflight from an allowed origin
 * itself; a preflight from another origin is forwarded (or, with {@code unmatchedPreflights:
 * IGNORE}, answered without {@code access-control-allow-origin}); an actual request from an allowed
 * origin gets the allow headers on its response, one from another origin none. The expected values
 * are what Envoy 1.40 answers; the embedded sidecar must answer the same.
 */
class CorsIT {

  static final String VIRTUAL_SERVICE =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - name: ignore
          match:
          - uri: {prefix: /ignore}
          corsPolicy:
            allowOrigins:
            - exact: https://good.example
            allowMethods: [GET]
            unmatchedPreflights: IGNORE
          route:
          - destination: {host: catalog, subset: v1}
        - name: plain
          match:
          - uri: {prefix: /plain}
          route:
          - destination: {host: catalog, subset: v1}
        - name: cors
          corsPolicy:
            allowOrigins:
            - exact: https://good.example
            - prefix: https://partner.
            - regex: "https://[a-z]+\\\\.trusted\\\\.example"
            allowMethods: [GET, POST]
            allowHeaders: [x-custom, content-type]
            exposeHeaders: [x-app]
            maxAge: 24h
            allowCredentials: true
          route:
          - destination: {host: catalog, subset: v1}
      """;

  private static final List<String> CORS_HEADERS =
      List.of(
          "access-control-allow-origin",
          "access-control-allow-credentials",
          "access-control-allow-methods",
          "access-control-allow-headers",
          "access-control-max-age",
          "access-control-expose-headers");

  @TestFactory
  Stream<DynamicNode> corsPolicyIsAppliedAsEnvoyOnEveryTarget() {
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

            HttpOutcome preflight = client.preflight("/items", "https://good.example");
            soft.assertThat(preflight.status()).as("allowed preflight").isEqualTo(200);
            soft.assertThat(preflight.header("x-app")).as("allowed preflight upstream").isEmpty();
            soft.assertThat(preflight.body()).isEmpty();
            soft.assertThat(cors(preflight))
                .as("allowed preflight")
                .isEqualTo(
                    Map.of(
                        "access-control-allow-origin", "https://good.example",
                        "access-control-allow-credentials", "true",
                        "access-control-allow-methods", "GET,POST",
                        "access-control-allow-headers", "x-custom,content-type",
                        "access-control-max-age", "86400",
                        "access-control-expose-headers", "x-app"));
            soft.assertThat(preflight.header("content-type")).as("preflight type").isEmpty();

            for (String origin :
                List.of("https://partner.example", "https://abc.trusted.example")) {
              soft.assertThat(
                      client.preflight("/items", origin).header("access-control-allow-origin"))
                  .as(origin)
                  .contains(origin);
            }

            for (String origin :
                List.of(
                    "https://evil.example",
                    "https://ABC.trusted.example",
                    "https://good.examplex")) {
              HttpOutcome forwarded = client.preflight("/items", origin);
              soft.assertThat(forwarded.header("x-app"))
                  .as("forwarded " + origin)
                  .contains("catalog-v1");
              soft.assertThat(cors(forwarded)).as("forwarded " + origin).isEmpty();
            }

            HttpOutcome ignored = client.preflight("/ignore", "https://evil.example");
            soft.assertThat(ignored.status()).as("ignored preflight").isEqualTo(200);
            soft.assertThat(ignored.header("x-app")).as("ignored preflight upstream").isEmpty();
            soft.assertThat(cors(ignored))
                .as("ignored preflight")
                .isEqualTo(Map.of("access-control-allow-methods", "GET"));

            HttpOutcome actual =
                client.send(
                    HttpRequestSpec.get("http://catalog/items")
                        .withHeader("origin", "https://good.example"));
            soft.assertThat(actual.header("x-app")).as("actual").contains("catalog-v1");
            soft.assertThat(cors(actual))
                .as("actual")
                .isEqualTo(
                    Map.of(
                        "access-control-allow-origin", "https://good.example",
                        "access-control-allow-credentials", "true",
                        "access-control-expose-headers", "x-app"));

            HttpOutcome otherOrigin =
                client.send(
                    HttpRequestSpec.get("http://catalog/items")
                        .withHeader("origin", "https://evil.example"));
            soft.assertThat(otherOrigin.header("x-app")).as("other origin").contains("catalog-v1");
            soft.assertThat(cors(otherOrigin)).as("other origin").isEmpty();

            soft.assertThat(cors(client.send(HttpRequestSpec.get("http://catalog/items"))))
                .as("no origin")
                .isEmpty();

            HttpOutcome noPolicy = client.preflight("/plain", "https://good.example");
            soft.assertThat(noPolicy.header("x-app"))
                .as("route without policy")
                .contains("catalog-v1");
            soft.assertThat(cors(noPolicy)).as("route without policy").isEmpty();

            HttpOutcome optionsOnly =
                client.send(
                    new HttpRequestSpec(
                        "OPTIONS",
                        URI.create("http://catalog/items"),
                        Map.of("origin", "https://good.example"),
                        new byte[0],
                        HttpRequestSpec.DEFAULT_TIMEOUT));
            soft.assertThat(optionsOnly.header("x-app"))
                .as("OPTIONS without request method")
                .contains("catalog-v1");
            soft.assertThat(optionsOnly.header("access-control-allow-origin"))
                .as("OPTIONS without request method")
                .contains("https://good.example");
            soft.assertAll();
          }
        });
  }

  private static Map<String, String> cors(HttpOutcome outcome) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : CORS_HEADERS) {
      outcome.header(name).ifPresent(v -> out.put(name, v));
    }
    return out;
  }

  @FunctionalInterface
  interface Client {
    HttpOutcome send(HttpRequestSpec spec);

    default HttpOutcome preflight(String path, String origin) {
      return send(
          new HttpRequestSpec(
              "OPTIONS",
              URI.create("http://catalog" + path),
              Map.of(
                  "origin", origin,
                  "access-control-request-method", "POST",
                  "access-control-request-headers", "x-custom"),
              new byte[0],
              HttpRequestSpec.DEFAULT_TIMEOUT));
    }
  }
}
