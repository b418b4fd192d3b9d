package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's standard metrics against what the client observed, on both data planes. Requests from
 * {@code end-user: jason} go to catalog v2, whose app answers {@code /fail} with 503; the rest go
 * to v1. On the embedded sidecar, {@code istio_requests_total} from the client's sidecar (reporter
 * {@code source}) and from v2's (reporter {@code destination}) count exactly the answers the client
 * saw per version and code, with Istio's labels. Envoy 1.40 has no {@code istio.stats} filter:
 * there the equivalent is {@code envoy_cluster_upstream_rq} of the subset's cluster, which the
 * embedded sidecar also keeps, and both targets are held to it.
 */
class IstioMetricsIT {

  static Stream<String> dataPlanes() {
    return Stream.of("embedded", "envoy");
  }

  private static Mesh.Builder mesh(String name) {
    if (name.equals("envoy")) {
      Assumptions.assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElse(""));
      return Mesh.builder().dataPlane(EnvoyDataPlane.create());
    }
    return Mesh.builder();
  }

  /**
   * Jason to v2, everyone else to v1, without retries: Istio's default policy retries a 503, and
   * Envoy's cluster statistic counts attempts where {@code istio_requests_total} counts requests.
   */
  private static final String V2_FOR_JASON =
      CatalogTopology.DESTINATION_RULE
          + """
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: catalog}
          spec:
            hosts: [catalog]
            http:
            - match:
              - headers:
                  end-user: {exact: jason}
              route:
              - destination: {host: catalog, subset: v2}
              retries: {attempts: 0}
            - route:
              - destination: {host: catalog, subset: v1}
              retries: {attempts: 0}
          """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void requestCountsMatchWhatTheClientObservedPerVersionAndCode(String dataPlane) throws Exception {
    try (TestApp v1 = new TestApp("catalog-v1");
        FailingApp v2 = new FailingApp();
        Mesh mesh = mesh(dataPlane).start()) {
      mesh.deploy(
          WorkloadSpec.builder("catalog-v1-0")
              .label("app", "catalog")
              .label("version", "v1")
              .serves("catalog", 80, v1.address())
              .build());
      Workload catalogV2 =
          mesh.deploy(
              WorkloadSpec.builder("catalog-v2-0")
                  .label("app", "catalog")
                  .label("version", "v2")
                  .serves("catalog", 80, v2.address())
                  .build());
      Workload client =
          mesh.deploy(
              WorkloadSpec.builder("client-0")
                  .label("app", "client")
                  .label("version", "v1")
                  .build());
      mesh.apply(V2_FOR_JASON, "catalog.yaml");
      mesh.awaitSynced();

      Map<String, Integer> observed = new LinkedHashMap<>();
      List<HttpRequestSpec> requests = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        requests.add(HttpRequestSpec.get("http://catalog/items/" + i));
      }
      for (int i = 0; i < 5; i++) {
        requests.add(HttpRequestSpec.get("http://catalog/fail").withHeader("end-user", "jason"));
      }
      for (int i = 0; i < 3; i++) {
        requests.add(HttpRequestSpec.get("http://catalog/ok").withHeader("end-user", "jason"));
      }
      for (HttpRequestSpec request : requests) {
        HttpOutcome outcome = client.http().send(request).join();
        String version = outcome.header("x-app").orElse("none").endsWith("v2") ? "v2" : "v1";
        observed.merge(version + " " + outcome.status(), 1, Integer::sum);
      }
      assertThat(observed).containsOnlyKeys("v1 200", "v2 503", "v2 200");

      // Envoy's /stats names (Envoy's default tag extraction would cut the cluster name at its
      // first dot in the Prometheus form; Istio's bootstrap adds its own stats_tags for that).
      String v2Cluster = "cluster.outbound|80|v2|catalog.default.svc.cluster.local.";
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(stat(client.sidecar(), v2Cluster + "upstream_rq_503"))
                      .as("Envoy's cluster statistic for v2, code 503")
                      .isEqualTo((long) observed.get("v2 503")));
      assertThat(stat(client.sidecar(), v2Cluster + "upstream_rq_200"))
          .isEqualTo((long) observed.get("v2 200"));

      String source = prometheus(client.sidecar());
      if (dataPlane.equals("envoy")) {
        // Plain Envoy has no istio.stats filter: no istio_* metric at all.
        assertThat(source).doesNotContain("istio_requests_total");
        return;
      }
      Map<String, String> v2Failures =
          Map.of("reporter", "source", "destination_version", "v2", "response_code", "503");
      assertThat(sum(source, "istio_requests_total", v2Failures))
          .isEqualTo((long) observed.get("v2 503"));
      assertThat(
              sum(
                  source,
                  "istio_requests_total",
                  Map.of("destination_version", "v1", "response_code", "200")))
          .isEqualTo((long) observed.get("v1 200"));
      assertThat(sum(source, "istio_request_duration_milliseconds_count", v2Failures))
          .isEqualTo((long) observed.get("v2 503"));
      Map<String, String> labels = series(source, "istio_requests_total", v2Failures).get(0);
      assertThat(labels)
          .containsAllEntriesOf(
              Map.ofEntries(
                  Map.entry("source_workload", "client"),
                  Map.entry("source_workload_namespace", "default"),
                  Map.entry("source_app", "client"),
                  Map.entry("source_version", "v1"),
                  Map.entry("destination_workload", "catalog-v2"),
                  Map.entry("destination_workload_namespace", "default"),
                  Map.entry("destination_app", "catalog"),
                  Map.entry("destination_service", "catalog.default.svc.cluster.local"),
                  Map.entry("destination_service_name", "catalog"),
                  Map.entry("destination_service_namespace", "default"),
                  Map.entry("request_protocol", "http"),
                  Map.entry("grpc_response_status", ""),
                  Map.entry("response_flags", "-"),
                  // A mesh without a CA: plaintext upstream connections, no certificate to name.
                  Map.entry("source_principal", "unknown"),
                  Map.entry("destination_principal", "unknown"),
                  Map.entry("connection_security_policy", "unknown")));

      String destination = prometheus(catalogV2.sidecar());
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(
                          sum(
                              prometheus(catalogV2.sidecar()),
                              "istio_requests_total",
                              Map.of("reporter", "destination", "response_code", "503")))
                      .isEqualTo((long) observed.get("v2 503")));
      destination = prometheus(catalogV2.sidecar());
      Map<String, String> inbound =
          series(
                  destination,
                  "istio_requests_total",
                  Map.of("reporter", "destination", "response_code", "503"))
              .get(0);
      assertThat(inbound)
          .containsEntry("destination_workload", "catalog-v2")
          .containsEntry("destination_version", "v2")
          .containsEntry("destination_service", "catalog.default.svc.cluster.local")
          // The caller, known through the metadata exchange (x-envoy-peer-metadata).
          .containsEntry("source_workload", "client")
          .containsEntry("source_workload_namespace", "default")
          .containsEntry("source_app", "client")
          .containsEntry("source_version", "v1")
          .containsEntry("source_canonical_service", "client")
          .containsEntry("source_cluster", "Kubernetes");
      boolean mtls = inbound.get("connection_security_policy").equals("mutual_tls");
      assertThat(inbound.get("source_principal"))
          .isEqualTo(mtls ? "spiffe://cluster.local/ns/default/sa/default" : "unknown");
    }
  }

  /** Auto mutual TLS to reviews and (HTTP/2) details; ratings' DestinationRule disables TLS. */
  private static final String RATINGS_PLAINTEXT =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: ratings}
      spec:
        host: ratings
        trafficPolicy:
          tls: {mode: DISABLE}
      """;

  /**
   * The source reporter names the principals of the upstream connection the answer came over, as
   * istio-proxy reads them from the upstream SSL connection: {@code source_principal} the client
   * sidecar's certificate, {@code destination_principal} the callee sidecar's, over HTTP/1.1 and
   * HTTP/2 connections alike; both {@code unknown} over a plaintext one. The policy label stays
   * {@code unknown} on the source side, as Istio writes it. (Envoy has no istio_* series: above.)
   */
  @org.junit.jupiter.api.Test
  void sourceReporterNamesTheUpstreamConnectionsPrincipals() throws Exception {
    try (TestApp reviews = new TestApp("reviews");
        TestApp ratings = new TestApp("ratings");
        H2cTestServer details = new H2cTestServer(0, 0);
        Mesh mesh =
            Mesh.builder()
                .security(dev.meshproof.runtime.security.MeshSecurity.defaults())
                .start()) {
      mesh.deploy(
          WorkloadSpec.builder("reviews-0")
              .serviceAccount("reviews")
              .serves("reviews", 9080, reviews.address())
              .build());
      mesh.deploy(
          WorkloadSpec.builder("ratings-0")
              .serviceAccount("ratings")
              .serves("ratings", 9080, ratings.address())
              .build());
      mesh.deploy(
          WorkloadSpec.builder("details-0")
              .serviceAccount("details")
              .serves("details", 9080, details.address())
              .portName("http2")
              .build());
      Workload sleep = mesh.deploy(WorkloadSpec.builder("sleep-0").serviceAccount("sleep").build());
      mesh.apply(RATINGS_PLAINTEXT, "ratings.yaml");
      mesh.awaitSynced();

      for (String service : List.of("reviews", "ratings", "details")) {
        HttpOutcome outcome = sleep.http().get("http://" + service + ":9080/p").join();
        assertThat(outcome.status()).as(service + " " + outcome.error()).isEqualTo(200);
      }

      String source = prometheus(sleep.sidecar());
      String sleepId = "spiffe://cluster.local/ns/default/sa/sleep";
      assertThat(
              series(source, "istio_requests_total", Map.of("destination_service_name", "reviews")))
          .singleElement()
          .satisfies(
              labels ->
                  assertThat(labels)
                      .containsEntry("reporter", "source")
                      .containsEntry("source_principal", sleepId)
                      .containsEntry(
                          "destination_principal", "spiffe://cluster.local/ns/default/sa/reviews")
                      .containsEntry("connection_security_policy", "unknown"));
      assertThat(
              series(source, "istio_requests_total", Map.of("destination_service_name", "details")))
          .singleElement()
          .satisfies(
              labels ->
                  assertThat(labels)
                      .containsEntry("source_principal", sleepId)
                      .containsEntry(
                          "destination_principal", "spiffe://cluster.local/ns/default/sa/details"));
      assertThat(
              series(source, "istio_requests_total", Map.of("destination_service_name", "ratings")))
          .singleElement()
          .satisfies(
              labels ->
                  assertThat(labels)
                      .containsEntry("source_principal", "unknown")
                      .containsEntry("destination_principal", "unknown")
                      .containsEntry("connection_security_policy", "unknown"));
    }
  }

  /** The plaintext TCP service: auto mutual TLS turned off for it. */
  private static final String TCP_PLAIN_PLAINTEXT =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: tcp-plain}
      spec:
        host: tcp-plain
        trafficPolicy:
          tls: {mode: DISABLE}
      """;

  /**
   * A TCP connection's series on the source reporter name the principals of its upstream
   * connection, as istio-proxy's stats filter reads them from the upstream SSL connection: the
   * client sidecar's and the callee sidecar's certificates over mutual TLS, {@code unknown} over a
   * plaintext connection. Each connection is counted opened once, under those labels, with every
   * byte both ways. (Envoy has no istio_* series: above.)
   */
  @org.junit.jupiter.api.Test
  void sourceReporterNamesTheUpstreamConnectionsPrincipalsForTcp() throws Exception {
    try (TcpProxyIT.PrefixEcho echo = new TcpProxyIT.PrefixEcho("echo");
        TcpProxyIT.PrefixEcho plain = new TcpProxyIT.PrefixEcho("plain");
        Mesh mesh =
            Mesh.builder()
                .security(dev.meshproof.runtime.security.MeshSecurity.defaults())
                .start()) {
      Workload tcpEcho =
          mesh.deploy(
              WorkloadSpec.builder("tcp-echo-0")
                  .serviceAccount("tcp-echo")
                  .serves("tcp-echo", 9000, echo.address())
                  .protocol(dev.meshproof.runtime.registry.ServiceProtocol.TCP)
                  .build());
      Workload tcpPlain =
          mesh.deploy(
              WorkloadSpec.builder("tcp-plain-0")
                  .serviceAccount("tcp-plain")
                  .serves("tcp-plain", 9000, plain.address())
                  .protocol(dev.meshproof.runtime.registry.ServiceProtocol.TCP)
                  .build());
      Workload sleep = mesh.deploy(WorkloadSpec.builder("sleep-0").serviceAccount("sleep").build());
      mesh.apply(TCP_PLAIN_PLAINTEXT, "tcp-plain.yaml");
      mesh.awaitSynced();

      assertThat(TcpProxyIT.exchange(mesh.tcpAddress(sleep, "tcp-echo", 9000), "hello"))
          .isEqualTo("echo hello");
      assertThat(TcpProxyIT.exchange(mesh.tcpAddress(sleep, "tcp-plain", 9000), "hello"))
          .isEqualTo("plain hello");

      String sleepId = "spiffe://cluster.local/ns/default/sa/sleep";
      Map<String, String> mutual =
          Map.of(
              "source_principal",
              sleepId,
              "destination_principal",
              "spiffe://cluster.local/ns/default/sa/tcp-echo",
              "connection_security_policy",
              "unknown");
      Map<String, String> plaintext =
          Map.of(
              "source_principal",
              "unknown",
              "destination_principal",
              "unknown",
              "connection_security_policy",
              "unknown");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String source = prometheus(sleep.sidecar());
                assertTcpSeries(source, "tcp-echo", mutual, "echo hello\n".length());
                assertTcpSeries(source, "tcp-plain", plaintext, "plain hello\n".length());
                // The callees' side (reporter destination), labelled once the app is connected:
                // the bytes read before (the plaintext line the inbound listener read to choose
                // its filter chain) are counted then, the connection opened once.
                assertDestinationSeries(
                    prometheus(tcpEcho.sidecar()), sleepId, "echo hello\n".length());
                assertDestinationSeries(
                    prometheus(tcpPlain.sidecar()), "unknown", "plain hello\n".length());
              });
    }
  }

  /**
   * A TCP connection whose upstream handshake fails (the DestinationRule expects another identity)
   * never gets principals: it is labelled at close, {@code unknown} both, and counted opened once,
   * there, with its {@code UF} flag, not once more when the connect was tried.
   */
  @org.junit.jupiter.api.Test
  void aTcpConnectionThatNeverReachesItsUpstreamIsCountedOpenedOnceAtClose() throws Exception {
    try (TcpProxyIT.PrefixEcho echo = new TcpProxyIT.PrefixEcho("echo");
        Mesh mesh =
            Mesh.builder()
                .security(dev.meshproof.runtime.security.MeshSecurity.defaults())
                .start()) {
      mesh.deploy(
          WorkloadSpec.builder("tcp-echo-0")
              .serviceAccount("tcp-echo")
              .serves("tcp-echo", 9000, echo.address())
              .protocol(dev.meshproof.runtime.registry.ServiceProtocol.TCP)
              .build());
      Workload sleep = mesh.deploy(WorkloadSpec.builder("sleep-0").serviceAccount("sleep").build());
      mesh.apply(
          """
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: tcp-echo}
          spec:
            host: tcp-echo
            trafficPolicy:
              tls:
                mode: ISTIO_MUTUAL
                subjectAltNames: [spiffe://cluster.local/ns/default/sa/someone-else]
          """,
          "tcp-echo.yaml");
      mesh.awaitSynced();

      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(mesh.tcpAddress(sleep, "tcp-echo", 9000), 5_000);
        socket.setSoTimeout(10_000);
        assertThat(socket.getInputStream().read()).as("closed by the proxy").isEqualTo(-1);
      }
      Map<String, String> ofEcho =
          Map.of("reporter", "source", "destination_service_name", "tcp-echo");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String source = prometheus(sleep.sidecar());
                for (String metric :
                    List.of(
                        "istio_tcp_connections_opened_total",
                        "istio_tcp_connections_closed_total")) {
                  assertThat(series(source, metric, ofEcho))
                      .as(metric)
                      .singleElement()
                      .satisfies(
                          labels ->
                              assertThat(labels)
                                  .containsEntry("response_flags", "UF")
                                  .containsEntry("source_principal", "unknown")
                                  .containsEntry("destination_principal", "unknown"));
                  assertThat(sum(source, metric, ofEcho)).as(metric).isEqualTo(1);
                }
              });
    }
  }

  /** The callee's one connection from {@code sourcePrincipal} on the destination reporter. */
  private static void assertDestinationSeries(
      String exposition, String sourcePrincipal, long answerBytes) {
    Map<String, String> from =
        Map.of("reporter", "destination", "source_principal", sourcePrincipal);
    assertThat(sum(exposition, "istio_tcp_connections_opened_total", from)).isEqualTo(1);
    assertThat(sum(exposition, "istio_tcp_received_bytes_total", from))
        .isEqualTo("hello\n".length());
    assertThat(sum(exposition, "istio_tcp_sent_bytes_total", from)).isEqualTo(answerBytes);
  }

  /**
   * {@code service}'s one connection on the source reporter: every {@code istio_tcp_*} series
   * carries {@code principals}, opened and closed once, the line sent and the answer received.
   */
  private static void assertTcpSeries(
      String exposition, String service, Map<String, String> principals, long answerBytes) {
    Map<String, String> ofService =
        Map.of("reporter", "source", "destination_service_name", service);
    for (String metric :
        List.of(
            "istio_tcp_connections_opened_total",
            "istio_tcp_connections_closed_total",
            "istio_tcp_received_bytes_total",
            "istio_tcp_sent_bytes_total")) {
      assertThat(series(exposition, metric, ofService))
          .as(metric + " of " + service)
          .singleElement()
          .satisfies(
              labels ->
                  assertThat(labels)
                      .containsAllEntriesOf(principals)
                      .containsEntry("request_protocol", "tcp")
                      .containsEntry("destination_workload", service));
    }
    assertThat(sum(exposition, "istio_tcp_connections_opened_total", ofService)).isEqualTo(1);
    assertThat(sum(exposition, "istio_tcp_connections_closed_total", ofService)).isEqualTo(1);
    assertThat(sum(exposition, "istio_tcp_received_bytes_total", ofService))
        .isEqualTo("hello\n".length());
    assertThat(sum(exposition, "istio_tcp_sent_bytes_total", ofService)).isEqualTo(answerBytes);
  }

  /** Reads the proxy's {@code /stats/prometheus} from its admin port. */
  static String prometheus(SidecarProxy sidecar) throws Exception {
    InetSocketAddress admin = sidecar.adminAddress().orElseThrow();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.getPort() + "/stats/prometheus"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  /** One counter of the proxy's {@code /stats} ({@code name: value}), 0 when absent. */
  static long stat(SidecarProxy sidecar, String name) throws Exception {
    InetSocketAddress admin = sidecar.adminAddress().orElseThrow();
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/stats"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : body.split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).trim());
      }
    }
    return 0;
  }

  /** The sum of {@code metric}'s samples whose labels include {@code selector}. */
  static long sum(String exposition, String metric, Map<String, String> selector) {
    long total = 0;
    for (String line : exposition.split("\n")) {
      Sample sample = Sample.parse(line);
      if (sample != null
          && sample.name.equals(metric)
          && sample.labels.entrySet().containsAll(selector.entrySet())) {
        total += (long) sample.value;
      }
    }
    return total;
  }

  static List<Map<String, String>> series(
      String exposition, String metric, Map<String, String> selector) {
    List<Map<String, String>> out = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      Sample sample = Sample.parse(line);
      if (sample != null
          && sample.name.equals(metric)
          && sample.labels.entrySet().containsAll(selector.entrySet())) {
        out.add(sample.labels);
      }
    }
    return out;
  }

  /** One sample line of the Prometheus text format: name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) {
    static Sample parse(String line) {
      if (line.isBlank() || line.startsWith("#")) {
        return null;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0) {
        String body = line.substring(brace + 1, line.lastIndexOf('}'));
        int i = 0;
        while (i < body.length()) {
          int eq = body.indexOf('=', i);
          String key = body.substring(i, eq);
          StringBuilder value = new StringBuilder();
          int j = eq + 2;
          while (body.charAt(j) != '"') {
            if (body.charAt(j) == '\\') {
              j++;
            }
            value.append(body.charAt(j));
            j++;
          }
          labels.put(key, value.toString());
          i = j + 2;
        }
      }
      return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
    }
  }

  /** Catalog v2's app: 503 for {@code /fail}, 200 otherwise, naming itself in {@code x-app}. */
  static final class FailingApp implements AutoCloseable {
    private final HttpServer server;

    FailingApp() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "catalog-v2".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-app", "catalog-v2");
            int status = exchange.getRequestURI().getPath().startsWith("/fail") ? 503 : 200;
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    InetSocketAddress address() {
      return server.getAddress();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
