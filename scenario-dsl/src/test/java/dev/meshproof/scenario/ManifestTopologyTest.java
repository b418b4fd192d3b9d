package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.topology.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes manifests as a scenario's services: versions, ports and service accounts. */
class ManifestTopologyTest {

  @Test
  void bookinfoDeploymentsPassTheirServiceAccountsToTheirVersions() {
    ManifestTopology.Result result =
        ManifestTopology.of(
            Topology.fromManifests(
                Path.of("src/test/resources/scenario-files/bookinfo/bookinfo.yaml")));

    ServiceSpec reviews =
        result.services().stream()
            .filter(s -> s.name().equals("reviews"))
            .findFirst()
            .orElseThrow();
    assertThat(reviews.serviceAccountByVersion())
        .isEqualTo(
            Map.of("v1", "bookinfo-reviews", "v2", "bookinfo-reviews", "v3", "bookinfo-reviews"));
    assertThat(reviews.serviceAccount("v1")).isEqualTo("bookinfo-reviews");
    // A version the manifests do not name runs as Kubernetes' default account.
    assertThat(new ServiceSpec("catalog", 80, Map.of("v1", 1)).serviceAccount("v1"))
        .isEqualTo("default");
  }

  @Test
  void aServiceExportedAwayFromDefaultIsRefusedAndOneKeptThereIsAccepted(@TempDir Path dir)
      throws Exception {
    String manifests =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: reviews
          annotations: {networking.istio.io/exportTo: "%s"}
        spec: {ports: [{port: 9080, name: http}], selector: {app: reviews}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1}
        spec:
          selector: {matchLabels: {app: reviews}}
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec:
              containers: [{name: reviews, image: reviews:1}]
        """;
    Path kept = Files.writeString(dir.resolve("kept.yaml"), manifests.formatted("."));
    assertThat(ManifestTopology.of(Topology.fromManifests(kept)).services()).hasSize(1);
    for (String away : new String[] {"web", "~", ".,~"}) {
      Path file = Files.writeString(dir.resolve("away.yaml"), manifests.formatted(away));
      assertThatThrownBy(() -> ManifestTopology.of(Topology.fromManifests(file)))
          .as(away)
          .hasMessageContaining("networking.istio.io/exportTo: " + away)
          .hasMessageContaining("namespace default");
    }
  }

  @Test
  void istiosTcpEchoServiceKeepsBothOfItsTcpPortsInOrder() {
    ManifestTopology.Result result =
        ManifestTopology.of(
            Topology.fromManifests(
                Path.of(
                    "../conformance-suite/src/main/resources/conformance/tcp-echo/"
                        + "tcp-echo-services.yaml")));

    assertThat(result.services()).hasSize(1);
    ServiceSpec tcpEcho = result.services().get(0);
    assertThat(tcpEcho.name()).isEqualTo("tcp-echo");
    assertThat(tcpEcho.isTcp()).isTrue();
    assertThat(tcpEcho.ports())
        .containsExactly(
            new ServiceSpec.Port("tcp", 9000), new ServiceSpec.Port("tcp-other", 9001));
    assertThat(tcpEcho.replicasByVersion()).isEqualTo(Map.of("v1", 1, "v2", 1));
  }

  @Test
  void aServiceWithTwoHttpPortsKeepsBoth(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("two-http.yaml"), web("http", "http-admin"));

    ServiceSpec web =
        ManifestTopology.of(Topology.fromManifests(file)).services().stream()
            .filter(s -> s.name().equals("web"))
            .findFirst()
            .orElseThrow();
    assertThat(web.ports())
        .containsExactly(
            new ServiceSpec.Port("http", 8000), new ServiceSpec.Port("http-admin", 8001));
  }

  @Test
  void aServiceMixingTcpAndHttpPortsIsRefusedNamingItsPorts(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("mixed.yaml"), web("http", "tcp-admin"));

    assertThatThrownBy(() -> ManifestTopology.of(Topology.fromManifests(file)))
        .hasMessageContaining("mixed.yaml")
        .hasMessageContaining("Deployment web-v1")
        .hasMessageContaining("[http 8000, tcp-admin 8001]")
        .hasMessageContaining(
            "expected: one port, or several that are all TCP or all HTTP / HTTP2");
  }

  private static String web(String firstPort, String secondPort) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{port: 8000, name: %s}, {port: 8001, name: %s}]
          selector: {app: web}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web-v1}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web, version: v1}}
            spec:
              containers: [{name: web, image: web:1}]
        """
        .formatted(firstPort, secondPort);
  }
}
