package dev.meshproof.k8s.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.k8s.Catalogue;
import dev.meshproof.k8s.manifest.KubernetesManifests;
import dev.meshproof.k8s.manifest.ManifestOptions;
import dev.meshproof.k8s.testcluster.ApiServerExtension;
import dev.meshproof.k8s.testcluster.TestApiServer;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.targets.ScenarioAbortedException;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kubernetes target's driver (apply, rollout wait, cleanup) against a real kube-apiserver
 * v1.37.2 with Istio 1.32's CRDs. There is no kubelet or controller-manager, so no pod ever runs:
 * the rollout wait is proven by its stated timeout and the status the server reports, and by a
 * status the test writes through the server's {@code status} subresource as a controller would.
 */
class KubernetesTargetIT {
  private static final String SCENARIO = "mesh-http-route-weight-90-10.scenario.yaml";
  private TestApiServer server;

  @RegisterExtension
  final BeforeEachCallback start = context -> server = ApiServerExtension.server(context);

  @Test
  void theTargetIsReachableThroughTheKubeconfigItIsGiven() {
    KubernetesTarget target =
        KubernetesTarget.on(
            KubernetesTargetOptions.of(server.kubeconfigFile(), Optional.of("meshproof-test")));
    assertThat(target.unavailableReason()).isEmpty();
  }

  @Test
  void anUnknownContextMakesTheTargetUnavailableWithTheReason() {
    KubernetesTarget target =
        KubernetesTarget.on(
            KubernetesTargetOptions.of(server.kubeconfigFile(), Optional.of("no-such-context")));
    assertThat(target.unavailableReason()).get().asString().contains("no-such-context");
  }

  @Test
  void aRolloutThatNeverHappensFailsTheScenarioWithTheServersStatusAndLeavesNothingBehind() {
    KubernetesTarget target =
        KubernetesTarget.on(
            KubernetesTargetOptions.of(server.kubeconfigFile(), Optional.empty())
                .withRolloutTimeout(Duration.ofSeconds(2)));
    Scenario scenario = Catalogue.scenario(SCENARIO);
    List<String> before = namespaces();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    assertThat(result.status()).isEqualTo(dev.meshproof.scenario.result.Status.FAILED);
    assertThat(result.failure())
        .get()
        .asString()
        .contains("not rolled out within 2 s")
        .contains("Deployment catalog-v1: 0/1 ready, status not reported by any controller");
    List<String> created = namespaces().stream().filter(n -> !before.contains(n)).toList();
    assertThat(created).singleElement().asString().startsWith("meshproof-catalog-canary-90-10-");
    String ns = created.get(0);
    KubernetesClient client = server.client();
    assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
    assertThat(client.services().inNamespace(ns).list().getItems()).isEmpty();
    assertThat(client.serviceAccounts().inNamespace(ns).list().getItems())
        .noneMatch(sa -> sa.getMetadata().getLabels() != null);
    // Without kube-controller-manager a deleted namespace stays Terminating; deletion was asked.
    Namespace gone = client.namespaces().withName(ns).get();
    assertThat(gone == null || gone.getMetadata().getDeletionTimestamp() != null).isTrue();
  }

  @Test
  void aRolloutIsDoneWhenTheServerReportsEveryReplicaReady() {
    KubernetesManifests manifests =
        KubernetesManifests.of(
            Catalogue.scenario(SCENARIO), ManifestOptions.defaults().inNamespace("rollout-ready"));
    KubernetesClient client = server.client();
    try (ScenarioInstallation installed = ScenarioInstallation.applyTopology(client, manifests)) {
      for (Deployment d :
          client.apps().deployments().inNamespace("rollout-ready").list().getItems()) {
        reportStatus(client, d, 1, null);
      }
      installed.awaitRollout(Duration.ofSeconds(30), Clock.systemUTC());
    }
  }

  @Test
  void aRolloutTimeoutReportsTheConditionsAControllerGave() {
    KubernetesManifests manifests =
        KubernetesManifests.of(
            Catalogue.scenario(SCENARIO), ManifestOptions.defaults().inNamespace("rollout-stuck"));
    KubernetesClient client = server.client();
    try (ScenarioInstallation installed = ScenarioInstallation.applyTopology(client, manifests)) {
      for (Deployment d :
          client.apps().deployments().inNamespace("rollout-stuck").list().getItems()) {
        reportStatus(
            client,
            d,
            d.getMetadata().getName().equals("catalog-v2") ? 0 : 1,
            "ProgressDeadlineExceeded");
      }
      assertThatThrownBy(() -> installed.awaitRollout(Duration.ofSeconds(1), Clock.systemUTC()))
          .isInstanceOf(ScenarioAbortedException.class)
          .hasMessageContaining("Deployment catalog-v2: 0/1 ready")
          .hasMessageContaining("Progressing=False (ProgressDeadlineExceeded)")
          .hasMessageNotContaining("catalog-v1");
    }
  }

  @Test
  void aRejectedIstioResourceDeletesEverythingCreatedBeforeIt() {
    Scenario scenario =
        Scenario.named("rejected istio")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .istio(
                "bad.yaml",
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                    + "metadata: {name: catalog}\nspec:\n  host: catalog\n"
                    + "  trafficPolicy: {loadBalancer: {simple: SOMETIMES}}\n")
            .traffic(t -> t.from("client").get("http://catalog/").requests(1))
            .build();
    KubernetesManifests manifests =
        KubernetesManifests.of(scenario, ManifestOptions.defaults().inNamespace("rejected"));
    KubernetesClient client = server.client();
    assertThatThrownBy(() -> ScenarioInstallation.apply(client, manifests))
        .isInstanceOf(ScenarioAbortedException.class)
        .hasMessageContaining("bad.yaml")
        .hasMessageContaining("DestinationRule catalog rejected by the API server")
        .hasMessageContaining("SOMETIMES");
    assertThat(client.apps().deployments().inNamespace("rejected").list().getItems()).isEmpty();
    assertThat(client.services().inNamespace("rejected").list().getItems()).isEmpty();
  }

  @Test
  void theTargetIsSkippedWithTheOptInWhenNoKubeconfigIsNamed() {
    assertThat(KubernetesTarget.fromSystemProperties().unavailableReason())
        .get()
        .asString()
        .contains(KubernetesTargetOptions.KUBECONFIG_PROPERTY)
        .contains("--target kubernetes");
  }

  private List<String> namespaces() {
    return server.client().namespaces().list().getItems().stream()
        .map(n -> n.getMetadata().getName())
        .toList();
  }

  /** Writes a Deployment status through the status subresource, as the controller would. */
  private static void reportStatus(
      KubernetesClient client, Deployment d, int ready, String progressingFalseReason) {
    DeploymentStatusBuilder status =
        new DeploymentStatusBuilder()
            .withObservedGeneration(d.getMetadata().getGeneration())
            .withReplicas(1)
            .withUpdatedReplicas(1)
            .withReadyReplicas(ready)
            .withAvailableReplicas(ready)
            .withUnavailableReplicas(1 - ready);
    if (progressingFalseReason != null && ready == 0) {
      status.addToConditions(
          new DeploymentConditionBuilder()
              .withType("Progressing")
              .withStatus("False")
              .withReason(progressingFalseReason)
              .withMessage("ReplicaSet has timed out progressing.")
              .withLastUpdateTime(Instant.now().toString())
              .build());
    }
    d.setStatus(status.build());
    client
        .apps()
        .deployments()
        .inNamespace(d.getMetadata().getNamespace())
        .resource(d)
        .updateStatus();
  }
}
