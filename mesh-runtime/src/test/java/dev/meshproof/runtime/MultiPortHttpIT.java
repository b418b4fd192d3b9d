package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A Service with two HTTP ports, as istiod serves it: the client's sidecar has an outbound listener
 * and route configuration per port ({@code 0.0.0.0_9080} with {@code 9080}, {@code 0.0.0.0_9090}
 * with {@code 9090}), the app's request goes to the listener of the port it dials, and a
 * VirtualService's {@code match: port} routes each port its own way; a destination without a port
 * on the multi-port service takes the listener's port (istiod's {@code GetDestinationCluster}). The
 * same on both data planes.
 */
class MultiPortHttpIT {

  private static final String VIRTUAL_SERVICE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - match: [{port: 9080}]
          route:
          - destination: {host: reviews, subset: v1, port: {number: 9080}}
        - match: [{port: 9090}]
          route:
          - destination: {host: reviews, subset: v2}
      """;

  @TestFactory
  Stream<DynamicTest> eachHttpPortHasItsOwnListenerAndRoutes() {
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

  private static void check(Supplier<Mesh> meshes) {
    try (Mesh mesh = meshes.get();
        TestApp v1a = new TestApp("reviews-v1:9080");
        TestApp v1b = new TestApp("reviews-v1:9090");
        TestApp v2a = new TestApp("reviews-v2:9080");
        TestApp v2b = new TestApp("reviews-v2:9090")) {
      for (String version : List.of("v1", "v2")) {
        boolean first = version.equals("v1");
        mesh.deploy(
            WorkloadSpec.builder("reviews-" + version)
                .label("version", version)
                .serves("reviews", 9080, (first ? v1a : v2a).address())
                .portName("http")
                .alsoServes("http-alt", 9090, (first ? v1b : v2b).address())
                .build());
      }
      Workload client = mesh.deploy(WorkloadSpec.builder("client").build());
      mesh.apply(VIRTUAL_SERVICE, "reviews.yaml");
      mesh.awaitSynced();

      assertThat(mesh.httpAddress(client, 9080))
          .as("each port has a listener of its own")
          .isNotEqualTo(mesh.httpAddress(client, 9090))
          .isNotEqualTo(client.sidecar().outboundAddress());
      for (int i = 0; i < 5; i++) {
        HttpOutcome on9080 = client.http().get("http://reviews:9080/r").join();
        HttpOutcome on9090 = client.http().get("http://reviews:9090/r").join();
        assertThat(on9080.status()).as(on9080.toString()).isEqualTo(200);
        assertThat(on9080.body()).isEqualTo("reviews-v1:9080 /r");
        assertThat(on9090.status()).as(on9090.toString()).isEqualTo(200);
        assertThat(on9090.body()).isEqualTo("reviews-v2:9090 /r");
      }
      assertThat(client.sidecar().configDump())
          .contains(
              "\"0.0.0.0_9080\"", "\"0.0.0.0_9090\"", "\"reviews.default.svc.cluster.local:9090\"");
    }
  }
}
