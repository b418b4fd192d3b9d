package dev.meshproof.runtime.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubernetes manifests as a mesh topology: Bookinfo as-is, and located reference errors. */
class TopologyTest {
  @TempDir Path dir;

  private static Path sample(String name) throws Exception {
    return Path.of(TopologyTest.class.getResource("/istio-samples/" + name).toURI());
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  @Test
  void bookinfoGivesItsWorkloadsWithLabelsServiceAccountsAndPorts() throws Exception {
    Topology topology = Topology.fromManifests(sample("bookinfo__platform__kube__bookinfo.yaml"));
    assertThat(topology.workloads())
        .extracting(
            TopologyWorkload::name,
            w -> w.labels().get("version"),
            TopologyWorkload::serviceAccount,
            TopologyWorkload::serves)
        .containsExactly(
            tuple("details-v1", "v1", "bookinfo-details", "details"),
            tuple("ratings-v1", "v1", "bookinfo-ratings", "ratings"),
            tuple("reviews-v1", "v1", "bookinfo-reviews", "reviews"),
            tuple("reviews-v2", "v2", "bookinfo-reviews", "reviews"),
            tuple("reviews-v3", "v3", "bookinfo-reviews", "reviews"),
            tuple("productpage-v1", "v1", "bookinfo-productpage", "productpage"));
    assertThat(topology.workloads())
        .allSatisfy(
            w -> {
              assertThat(w.namespace()).isEqualTo("default");
              assertThat(w.replicas()).isEqualTo(1);
              assertThat(w.labels()).containsEntry("app", w.serves().get(0).service());
            });
    assertThat(topology.notSimulated()).isEmpty();
  }

  private static org.assertj.core.groups.Tuple tuple(
      String name, String version, String account, String service) {
    return org.assertj.core.groups.Tuple.tuple(
        name,
        version,
        account,
        java.util.List.of(new TopologyWorkload.ServicePort(service, 9080, "http")));
  }

  @Test
  void aMissingServiceAccountIsReportedAtTheDeploymentsLine() throws Exception {
    Path manifest =
        write(
            "app.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1}
            spec:
              selector: {matchLabels: {app: reviews}}
              template:
                metadata: {labels: {app: reviews, version: v1}}
                spec:
                  serviceAccountName: bookinfo-reviews
                  containers: [{name: reviews, image: reviews:1}]
            """);
    assertThatThrownBy(() -> Topology.fromManifests(manifest))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            manifest
                + ":9:1: spec.template.spec.serviceAccountName: service account"
                + " \"bookinfo-reviews\" is not declared in namespace default");
  }

  @Test
  void aDeploymentReadBackFromAClusterCarriesTheDeprecatedServiceAccountAliasToo()
      throws Exception {
    // The API server fills spec.template.spec.serviceAccount in beside serviceAccountName.
    Path manifest =
        write(
            "readback.yaml",
            """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: bookinfo-reviews}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: reviews-v1}
            spec:
              selector: {matchLabels: {app: reviews}}
              template:
                metadata: {labels: {app: reviews, version: v1}}
                spec:
                  serviceAccountName: bookinfo-reviews
                  serviceAccount: bookinfo-reviews
                  containers: [{name: reviews, image: reviews:1}]
            """);
    assertThat(Topology.fromManifests(manifest).workloads())
        .singleElement()
        .satisfies(w -> assertThat(w.serviceAccount()).isEqualTo("bookinfo-reviews"));
  }

  @Test
  void theSameResourceInTwoFilesAndAnUndeclaredNamespaceAreReported() throws Exception {
    String service =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: shop}
        spec: {ports: [{port: 9080}], selector: {app: reviews}}
        """;
    Path a = write("a.yaml", service);
    Path b = write("b.yaml", service);
    assertThatThrownBy(() -> Topology.fromManifests(a, b))
        .hasMessageContaining(
            b + ":1:1: metadata.name: Service shop/reviews is already defined at " + a + ":1")
        .hasMessageContaining(a + ":1:1: metadata.namespace: namespace \"shop\" is not declared");
  }

  @Test
  void istioResourcesAreNotTopology() throws Exception {
    Path manifest =
        write(
            "mixed.yaml",
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec: {host: reviews}
            """);
    assertThatThrownBy(() -> Topology.fromManifests(manifest))
        .hasMessageContaining(
            manifest + ":1:1: kind: DestinationRule is mesh configuration, not topology");
  }

  @Test
  void notSimulatedKindsAreListed() throws Exception {
    Path manifest =
        write(
            "hpa.yaml",
            """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: reviews}
            spec: {maxReplicas: 3}
            """);
    assertThat(Topology.fromManifests(manifest).notSimulated())
        .containsExactly(
            "autoscaling/v2 HorizontalPodAutoscaler default/reviews (" + manifest + ":1)");
  }

  @Test
  void aServicesExportToAnnotationReachesTheWorkloadsItSelects() throws Exception {
    String manifests =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: reviews
          annotations: {networking.istio.io/exportTo: " ., web "}
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
    Topology topology = Topology.fromManifests(write("app.yaml", manifests));
    assertThat(topology.workloads().get(0).serves().get(0).exportTo()).containsExactly(".", "web");

    Path bad = write("bad.yaml", manifests.replace(" ., web ", "Web_1"));
    assertThatThrownBy(() -> Topology.fromManifests(bad))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(bad + ":")
        .hasMessageContaining("networking.istio.io/exportTo")
        .hasMessageContaining("\"Web_1\" is not an exportTo entry");
  }
}
