package dev.meshproof.k8s.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.k8s.Catalogue;
import dev.meshproof.k8s.manifest.KubernetesManifests;
import dev.meshproof.k8s.manifest.ManifestOptions;
import dev.meshproof.k8s.testcluster.ApiServerExtension;
import dev.meshproof.k8s.testcluster.TestApiServer;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every catalogue scenario's manifests and Istio YAML, created on a real kube-apiserver v1.37.2
 * with Istio 1.32's CRDs: each resource passes the server's validation and the CRD schemas, and is
 * deleted again.
 */
class ManifestsAcceptedByApiServerIT {
  private TestApiServer server;

  @RegisterExtension
  final org.junit.jupiter.api.extension.BeforeEachCallback start =
      context -> server = ApiServerExtension.server(context);

  static Stream<String> catalogue() {
    return Catalogue.fileNames().stream();
  }

  @ParameterizedTest
  @MethodSource("catalogue")
  void everyCatalogueScenarioIsAcceptedWithItsIstioYaml(String file) {
    Scenario scenario = Catalogue.scenario(file);
    String ns = "accept-" + Integer.toHexString(file.hashCode());
    if (scenario.istio().stream().anyMatch(source -> !source.appPorts().isEmpty())) {
      // ${app.<instance>.port} is a loopback port of the mesh targets: refused here, at its line.
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> KubernetesManifests.of(scenario, ManifestOptions.defaults().inNamespace(ns)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageMatching(
              "(?s)[^:]+\\.yaml:\\d+:\\d+: \\$\\{app\\.[^}]+\\.port\\} names the loopback port.*"
                  + "kubernetes target runs apps as pods.*");
      return;
    }
    KubernetesManifests manifests =
        KubernetesManifests.of(scenario, ManifestOptions.defaults().inNamespace(ns));
    KubernetesClient client = server.client();
    try (ScenarioInstallation installed = ScenarioInstallation.apply(client, manifests)) {
      assertThat(installed.created())
          .hasSizeGreaterThan(manifests.generated().size() - 1)
          .contains("Namespace " + ns);
      assertThat(client.apps().deployments().inNamespace(ns).list().getItems())
          .hasSize(
              (int)
                  manifests.generated().stream()
                      .filter(d -> d.get("kind").equals("Deployment"))
                      .count());
    }
    assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
    assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void anIstioResourceThatBreaksTheCrdSchemaIsRejectedWithTheServersReason() {
    Scenario scenario = Catalogue.scenario("mesh-http-route-weight-90-10.scenario.yaml");
    KubernetesManifests manifests =
        KubernetesManifests.of(scenario, ManifestOptions.defaults().inNamespace("reject-schema"));
    try (ScenarioInstallation installed = ScenarioInstallation.apply(server.client(), manifests)) {
      IstioSource bad =
          new IstioSource(
              "bad-weight.yaml",
              String.join(
                  "\n",
                  "apiVersion: networking.istio.io/v1",
                  "kind: VirtualService",
                  "metadata: {name: catalog-bad}",
                  "spec:",
                  "  hosts: [catalog]",
                  "  http:",
                  "  - route:",
                  "    - destination: {host: catalog, subset: v1}",
                  "      weight: ninety",
                  ""));
      assertThatThrownBy(() -> installed.applyIstio(bad))
          .isInstanceOf(ScenarioAbortedException.class)
          .hasMessageContaining("bad-weight.yaml")
          .hasMessageContaining("VirtualService catalog-bad")
          .hasMessageContaining("weight");
    }
  }
}
