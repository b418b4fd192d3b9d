package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The same xDS gives the same evidence on both data planes: the access log configured by the
 * translator (Istio's JSON keys) has the same keys and values for a routed request and for one no
 * route matches, the client-supplied {@code x-request-id} is kept and a missing one generated (a
 * UUID4), and the connection manager's counters carry its {@code stat_prefix} ({@code
 * http.outbound_0.0.0.0_80.*}, istiod's for the listener of port 80), as Envoy's {@code /stats}
 * shows.
 */
class AccessLogAndStatsIT {
  private static final List<String> STABLE_KEYS =
      List.of(
          "authority",
          "method",
          "path",
          "request_id",
          "response_code",
          "response_flags",
          "route_name",
          "upstream_cluster");

  @TestFactory
  Stream<DynamicTest> accessLogAndStatsAreTheSameOnEveryTarget() {
    return Stream.of(
        DynamicTest.dynamicTest("embedded", () -> check(() -> Mesh.builder().start())),
        DynamicTest.dynamicTest(
            "envoy",
            () -> {
              Assumptions.assumeTrue(
                  EnvoyDataPlane.unavailableReason().isEmpty(),
                  () -> EnvoyDataPlane.unavailableReason().orElse(""));
              check(() -> Mesh.builder().dataPlane(EnvoyDataPlane.create()).start());
            }));
  }

  private static void check(Supplier<Mesh> meshes) throws Exception {
    try (Mesh mesh = meshes.get();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      // Only /items is routed, so /nowhere finds no route (NR): an unknown host would now take the
      // ALLOW_ANY catch-all virtual host instead.
      mesh.apply(
          CatalogTopology.DESTINATION_RULE
              + """
              ---
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: catalog}
              spec:
                hosts: [catalog]
                http:
                - match: [{uri: {prefix: /items}}]
                  route:
                  - destination: {host: catalog, subset: v1}
              """,
          "catalog.yaml");
      mesh.awaitSynced();
      Workload client = catalog.client();
      HttpOutcome routed =
          client
              .http()
              .send(HttpRequestSpec.get("http://catalog/items").withHeader("x-request-id", "ev-1"))
              .join();
      HttpOutcome unrouted =
          client
              .http()
              .send(
                  HttpRequestSpec.get("http://catalog/nowhere").withHeader("x-request-id", "ev-2"))
              .join();
      // Without an x-request-id the client's sidecar generates a UUID4 (as Envoy's UUID request id
      // extension does); the app sees it, and the access log names it. A given one is kept.
      HttpOutcome generated =
          client.http().send(HttpRequestSpec.get("http://catalog/items/generated")).join();
      assertThat(routed.status()).isEqualTo(200);
      assertThat(unrouted.status()).isEqualTo(404);
      assertThat(generated.status()).isEqualTo(200);
      assertThat(routed.header("x-seen-h-x-request-id")).contains("ev-1");
      String generatedId = generated.header("x-seen-h-x-request-id").orElseThrow();
      assertThat(generatedId)
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  byId(client.sidecar(), "ev-1").isPresent()
                      && byId(client.sidecar(), "ev-2").isPresent());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> byId(client.sidecar(), generatedId).isPresent());
      assertThat(byId(client.sidecar(), generatedId).orElseThrow())
          .containsEntry("path", "/items/generated");
      Map<String, String> ok = byId(client.sidecar(), "ev-1").orElseThrow();
      Map<String, String> nr = byId(client.sidecar(), "ev-2").orElseThrow();
      InetSocketAddress v1Inbound =
          mesh.workload("default", "catalog-v1-0")
              .orElseThrow()
              .sidecar()
              .inboundAddress()
              .orElseThrow();

      assertThat(ok.keySet())
          .containsExactlyInAnyOrder(
              "start_time",
              "route_name",
              "method",
              "path",
              "response_code",
              "response_flags",
              "duration",
              "request_id",
              "authority",
              "upstream_host",
              "upstream_cluster");
      assertThat(stable(ok))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "authority", "catalog",
                  "method", "GET",
                  "path", "/items",
                  "request_id", "ev-1",
                  "response_code", "200",
                  "response_flags", "-",
                  // The translator names no route yet (Istio names this one "default").
                  "route_name", "-",
                  "upstream_cluster", "outbound|80|v1|catalog.default.svc.cluster.local"));
      assertThat(ok.get("upstream_host"))
          .isEqualTo(v1Inbound.getAddress().getHostAddress() + ":" + v1Inbound.getPort());
      assertThat(ok.get("start_time"))
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(stable(nr))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "authority", "catalog",
                  "method", "GET",
                  "path", "/nowhere",
                  "request_id", "ev-2",
                  "response_code", "404",
                  "response_flags", "NR",
                  "route_name", "-",
                  "upstream_cluster", "-"));
      assertThat(nr.get("upstream_host")).isEqualTo("-");

      List<String> stats = stats(client.sidecar());
      assertThat(stats)
          .contains(
              "http.outbound_0.0.0.0_80.downstream_rq_2xx: 2",
              "http.outbound_0.0.0.0_80.downstream_rq_4xx: 1",
              "http.outbound_0.0.0.0_80.no_route: 1");
      assertThat(stats).noneMatch(line -> line.startsWith("http.0.0.0.0_80."));
    }
  }

  private static Map<String, String> stable(Map<String, String> line) {
    return line.entrySet().stream()
        .filter(e -> STABLE_KEYS.contains(e.getKey()))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static Optional<Map<String, String>> byId(SidecarProxy sidecar, String requestId) {
    return sidecar.accessLogLines().stream()
        .filter(line -> requestId.equals(line.get("request_id")))
        .findFirst();
  }

  private static List<String> stats(SidecarProxy sidecar) throws Exception {
    InetSocketAddress admin = sidecar.adminAddress().orElseThrow();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/stats"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return Arrays.asList(response.body().split("\n"));
  }
}
