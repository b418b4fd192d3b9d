package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.config.InvalidConfigException;
import dev.meshproof.runtime.proxy.Sidecar;
import dev.meshproof.runtime.telemetry.AccessLogEntry;
import dev.meshproof.runtime.xds.SyncState;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeshRoutingIT {
  private Mesh mesh;
  private CatalogTopology catalog;
  private Workload client;

  @BeforeAll
  void startMesh() {
    mesh = Mesh.builder().seed(7).start();
    catalog = CatalogTopology.deploy(mesh);
    client = catalog.client();
    mesh.apply(CatalogTopology.DESTINATION_RULE, "catalog-dr.yaml");
  }

  @AfterAll
  void stopMesh() {
    mesh.close();
    catalog.close();
  }

  @Test
  void headerMatchSendsRequestsToTheMatchedSubsetThroughBothSidecars() {
    mesh.apply(CatalogTopology.JASON_TO_V2, "catalog-vs.yaml");
    mesh.awaitSynced();

    HttpOutcome jason =
        client
            .http()
            .send(
                dev.meshproof.runtime.client.HttpRequestSpec.get("http://catalog/items")
                    .withHeader("end-user", "jason"))
            .join();
    HttpOutcome anyone = client.http().get("http://catalog/items").join();

    assertThat(jason.status()).isEqualTo(200);
    assertThat(jason.body()).isEqualTo("catalog-v2 /items");
    assertThat(jason.header("server")).contains("envoy");
    assertThat(anyone.body()).isEqualTo("catalog-v1 /items");
    assertThat(mesh.proxyStatus().values())
        .allSatisfy(
            s -> assertThat(s.types().values()).allMatch(t -> t.state() == SyncState.SYNCED));
    List<AccessLogEntry> log = ((Sidecar) client.sidecar()).accessLog().entries();
    assertThat(log)
        .anySatisfy(
            e ->
                assertThat(e.upstreamCluster())
                    .isEqualTo("outbound|80|v2|catalog.default.svc.cluster.local"));
  }

  @Test
  void unknownHostNameTakesTheAllowAnyCatchAllAndFindsNoHost() {
    mesh.awaitSynced();
    HttpOutcome outcome = client.http().get("http://nowhere/").join();

    // ALLOW_ANY (Istio's default): the PassthroughCluster route takes only 127.0.0.1:<port>; a
    // name goes to the BlackHoleCluster, 503 UH, instead of leaving loopback.
    assertThat(outcome.status()).isEqualTo(503);
    assertThat(((Sidecar) client.sidecar()).accessLog().entries())
        .anySatisfy(
            e -> {
              assertThat(e.flagCode()).isEqualTo("UH");
              assertThat(e.upstreamCluster()).isEqualTo("BlackHoleCluster");
            });
  }

  @Test
  void regexThatIsNotRe2IsRejectedAtApplyWithFileLineAndField() {
    try (TestApp app = new TestApp("reviews");
        Mesh isolated = Mesh.builder().start()) {
      isolated.deploy(
          WorkloadSpec.builder("reviews-0").serves("reviews", 80, app.address()).build());
      // Rejected where it is written (Istio's webhook does the same); the data planes' own
      // NACK of such a regex stays as defence in depth (XdsDecoderRegexTest).
      assertThatThrownBy(
              () ->
                  isolated.apply(
                      """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: reviews}
          spec:
            hosts: [reviews]
            http:
            - match:
              - uri: {regex: "/(?=admin).*"}
              route:
              - destination: {host: reviews}
          """,
                      "reviews-vs.yaml"))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining(
              "reviews-vs.yaml:8:20: spec.http[0].match[0].uri.regex: regex '/(?=admin).*' is"
                  + " not valid RE2: invalid perl operator: (?=");
      isolated.awaitSynced(); // nothing was applied, so nothing is NACKed
    }
  }

  @Test
  void requestAuthenticationNeedsTheCaAndAJwksOnLoopback() {
    try (Mesh isolated = Mesh.builder().start()) {
      assertThatThrownBy(
              () ->
                  isolated.apply(
                      """
          apiVersion: security.istio.io/v1
          kind: RequestAuthentication
          metadata: {name: jwt}
          spec:
            jwtRules:
            - issuer: testing@secure.istio.io
              jwksUri: http://192.0.2.1/jwks.json
          """,
                      "jwt.yaml"))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("kind: RequestAuthentication needs the mesh's CA")
          .hasMessageContaining(
              "spec.jwtRules[0].jwksUri: RequestAuthentication default/jwt: \"192.0.2.1\""
                  + " resolves to 192.0.2.1");
    }
  }

  @Test
  void inboundListenerServesHttp2ClearTextUpgrade() throws Exception {
    mesh.awaitSynced();
    Workload catalog = mesh.workload("default", "catalog-v1-0").orElseThrow();
    java.net.InetSocketAddress inbound = catalog.sidecar().inboundAddress().orElseThrow();
    java.net.http.HttpClient h2 =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .build();
    java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + inbound.getPort() + "/h2");

    // The first request upgrades the connection (Upgrade: h2c); the second runs on the HTTP/2
    // stream.
    java.net.http.HttpResponse<String> first =
        h2.send(
            java.net.http.HttpRequest.newBuilder(uri).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    java.net.http.HttpResponse<String> second =
        h2.send(
            java.net.http.HttpRequest.newBuilder(uri).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(first.body()).isEqualTo("catalog-v1 /h2");
    assertThat(second.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo("catalog-v1 /h2");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    mesh.awaitSynced();
    java.net.InetSocketAddress outbound = mesh.httpAddress(client, 80);
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", outbound.getPort())) {
      socket.setSoTimeout(10_000);
      StringBuilder requests = new StringBuilder();
      for (int i = 1; i <= 3; i++) {
        requests.append("GET /pipelined/").append(i).append(" HTTP/1.1\r\nHost: catalog\r\n");
        requests.append(i == 3 ? "Connection: close\r\n" : "").append("\r\n");
      }
      // All three in one write: the sidecar decodes them from one read.
      socket
          .getOutputStream()
          .write(requests.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String responses =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);

      assertThat(responses)
          .containsSubsequence(
              "catalog-v1 /pipelined/1", "catalog-v1 /pipelined/2", "catalog-v1 /pipelined/3");
    }
  }

  @Test
  void adminInterfaceAnswersLikeEnvoys() throws Exception {
    mesh.awaitSynced();
    client.http().get("http://catalog/admin-check").join();
    java.net.InetSocketAddress admin = client.sidecar().adminAddress().orElseThrow();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> get =
        path -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + admin.getPort() + path))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    assertThat(get.apply("/ready").body()).isEqualTo("LIVE\n");
    assertThat(get.apply("/clusters").body())
        .containsPattern(
            "outbound\\|80\\|v1\\|catalog.default.svc.cluster.local::127.0.0.1:[0-9]+::rq_total::[1-9]");
    assertThat(get.apply("/stats/prometheus").body())
        .contains(
            "envoy_cluster_upstream_rq{envoy_response_code=\"200\",envoy_cluster_name=\"outbound|80|v1|catalog.default.svc.cluster.local\"}")
        .contains(
            "envoy_http_downstream_rq_xx{envoy_response_code_class=\"2\",envoy_http_conn_manager_prefix=\"outbound_0.0.0.0_80\"}");
    assertThat(get.apply("/config_dump").body()).contains("ClustersConfigDump");
    assertThat(get.apply("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void configDumpHoldsTheClustersTheProxyReceived() {
    mesh.awaitSynced();
    assertThat(client.sidecar().configDump())
        .contains("type.googleapis.com/envoy.admin.v3.ClustersConfigDump")
        .contains("outbound|80|v1|catalog.default.svc.cluster.local");
  }
}
