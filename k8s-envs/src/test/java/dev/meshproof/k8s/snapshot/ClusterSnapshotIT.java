package dev.meshproof.k8s.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.k8s.testcluster.ApiServerExtension;
import dev.meshproof.k8s.testcluster.TestApiServer;
import dev.meshproof.scenario.IstioSource;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.expect.Expectations;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Targets;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --config-from-cluster}: another team's routing, stored in a real kube-apiserver v1.37.2
 * (validated by Istio 1.32's CRDs), read back as a snapshot and run on the embedded mesh.
 */
class ClusterSnapshotIT {
  private static final String CLUSTER_CONFIG =
      String.join(
          "\n",
          "apiVersion: networking.istio.io/v1",
          "kind: DestinationRule",
          "metadata: {name: catalog, namespace: default}",
          "spec:",
          "  host: catalog",
          "  subsets:",
          "  - {name: v1, labels: {version: v1}}",
          "  - {name: v2, labels: {version: v2}}",
          "---",
          "apiVersion: networking.istio.io/v1",
          "kind: VirtualService",
          "metadata: {name: catalog, namespace: default}",
          "spec:",
          "  hosts: [catalog]",
          "  http:",
          "  - route:",
          "    - destination: {host: catalog, subset: v2}",
          "---",
          "apiVersion: v1",
          "kind: Service",
          "metadata: {name: catalog, namespace: default, labels: {app: catalog}}",
          "spec:",
          "  selector: {app: catalog}",
          "  ports: [{name: http, port: 80, targetPort: 8080}]",
          "---",
          "apiVersion: v1",
          "kind: ServiceAccount",
          "metadata: {name: bookinfo-ratings, namespace: default}",
          "---",
          "apiVersion: v1",
          "kind: Service",
          "metadata: {name: ratings, namespace: default, labels: {app: ratings}}",
          "spec:",
          "  selector: {app: ratings}",
          "  ports: [{name: http, port: 9080}]",
          "---",
          "apiVersion: apps/v1",
          "kind: Deployment",
          "metadata: {name: ratings-v1, namespace: default}",
          "spec:",
          "  replicas: 2",
          "  selector: {matchLabels: {app: ratings, version: v1}}",
          "  template:",
          "    metadata: {labels: {app: ratings, version: v1}}",
          "    spec:",
          "      serviceAccountName: bookinfo-ratings",
          "      containers:",
          "      - name: ratings",
          "        image: docker.io/istio/examples-bookinfo-ratings-v1:1.20.2",
          "        ports: [{containerPort: 9080}]",
          "");

  private TestApiServer server;

  @RegisterExtension
  final BeforeEachCallback start = context -> server = ApiServerExtension.server(context);

  @Test
  void theClustersRoutingIsReadBackAsApplicableYamlAndDecidesTheEmbeddedRun() {
    KubernetesClient client = server.client();
    List<HasMetadata> stored =
        client
            .load(new ByteArrayInputStream(CLUSTER_CONFIG.getBytes(StandardCharsets.UTF_8)))
            .items();
    stored.forEach(r -> client.resource(r).inNamespace("default").create());
    try {
      ClusterSnapshot snapshot = ClusterSnapshot.read(client, "meshproof-test", List.of("default"));

      assertThat(snapshot.istio()).singleElement();
      String istio = snapshot.istio().get(0).yaml();
      assertThat(istio)
          .contains("kind: DestinationRule", "kind: VirtualService", "subset: v2")
          .doesNotContain("resourceVersion", "uid:", "managedFields", "creationTimestamp");
      assertThat(snapshot.workloads())
          .map(IstioSource::yaml)
          .anySatisfy(
              y ->
                  assertThat(y)
                      .contains("kind: Service", "name: catalog")
                      .doesNotContain("clusterIP"));

      // The other team's ratings service comes from the cluster's Deployment and Service.
      assertThat(snapshot.topology().workloads())
          .singleElement()
          .satisfies(
              w -> {
                assertThat(w.name()).isEqualTo("ratings-v1");
                assertThat(w.replicas()).isEqualTo(2);
                assertThat(w.serviceAccount()).isEqualTo("bookinfo-ratings");
              });

      Scenario change =
          Scenario.named("team b: catalog v2 added")
              .service("catalog", s -> s.version("v1").version("v2"))
              .client("client")
              .traffic(t -> t.from("client").get("http://catalog/").requests(60))
              .traffic(
                  t -> t.named("ratings").from("client").get("http://ratings:9080/").requests(20))
              .expect(Expectations.servedBy("catalog-v1-0").atMost(0))
              .expect(Expectations.response().forTraffic("ratings").status(200))
              .build();

      ScenarioResult withCluster = ScenarioRunner.run(snapshot.addTo(change), Targets.embedded());
      assertThat(withCluster.status()).as(withCluster.failureSummary()).isEqualTo(Status.PASSED);
      // Without the cluster's VirtualService both versions serve, and ratings does not exist: the
      // snapshot made the difference.
      ScenarioResult without = ScenarioRunner.run(change, Targets.embedded());
      assertThat(without.status()).isEqualTo(Status.FAILED);
    } finally {
      stored.forEach(r -> client.resource(r).inNamespace("default").delete());
    }
  }
}
