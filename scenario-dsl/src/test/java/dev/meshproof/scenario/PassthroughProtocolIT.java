package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * istiod's {@code PassthroughCluster} carries {@code use_downstream_protocol_config}: under
 * ALLOW_ANY a request to an app outside the registry reaches it in the protocol it arrived in, on
 * both data planes — HTTP/2 (an h2c gRPC-style call) stays HTTP/2, HTTP/1.1 stays HTTP/1.1 — and
 * none of the HTTP/2 conversion's headers leak either way.
 */
class PassthroughProtocolIT {

  @TestFactory
  Stream<DynamicNode> thePassthroughKeepsTheDownstreamProtocol() {
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
              EchoServer outside =
                  EchoServer.builder()
                      .service("outside")
                      .version("v1")
                      .instance("outside-0")
                      .eventLoopGroup(mesh.eventLoops())
                      .build()
                      .start()) {
            Workload client =
                mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
            mesh.awaitSynced();
            String url = "http://127.0.0.1:" + outside.address().getPort() + "/items";

            HttpOutcome http1 = client.http().get(url).join();
            assertThat(http1.status()).as(http1.body()).isEqualTo(200);
            assertThat(http1.body()).contains("\"proto\":\"HTTP/1.1\"");

            // A gRPC content type makes the app's client speak h2c to its sidecar.
            HttpOutcome http2 =
                client
                    .http()
                    .send(HttpRequestSpec.get(url).withHeader("content-type", "application/grpc"))
                    .join();
            assertThat(http2.status()).as(http2.body()).isEqualTo(200);
            assertThat(http2.body()).contains("\"proto\":\"HTTP/2.0\"");
            assertThat(http2.body()).doesNotContain("x-http2-");
          }
        });
  }
}
