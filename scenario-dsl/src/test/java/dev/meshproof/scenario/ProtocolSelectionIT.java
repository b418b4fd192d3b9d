package dev.meshproof.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.http.EchoServer;
import dev.meshproof.runtime.Mesh;
import dev.meshproof.runtime.Workload;
import dev.meshproof.runtime.WorkloadSpec;
import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Protocol selection as istiod does it, on both data planes: an app sending HTTP/1.1 to a service
 * whose port is named {@code http2} reaches the app over HTTP/2 (the cluster's explicit HTTP/2
 * config, outbound and inbound), and the answer comes back to it as HTTP/1.1 without any of the
 * HTTP/2 conversion's headers; a port named {@code http} stays HTTP/1.1 end to end.
 */
class ProtocolSelectionIT {

  @TestFactory
  Stream<DynamicNode> anHttp2PortIsReachedOverHttp2FromAnHttp1App() {
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
          List<EchoServer> apps = new ArrayList<>();
          try (Mesh mesh = meshes.get()) {
            try {
              deploy(mesh, apps, "fast", "http2");
              deploy(mesh, apps, "slow", "http");
              Workload client =
                  mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
              mesh.awaitSynced();

              HttpOutcome fast = client.http().get("http://fast/items").join();
              assertThat(fast.status()).as(fast.body()).isEqualTo(200);
              assertThat(fast.body()).contains("\"proto\":\"HTTP/2.0\"");
              assertThat(fast.body()).doesNotContain("x-http2-");
              assertThat(fast.headers().keySet()).noneMatch(h -> h.startsWith("x-http2-"));

              HttpOutcome slow = client.http().get("http://slow/items").join();
              assertThat(slow.status()).as(slow.body()).isEqualTo(200);
              assertThat(slow.body()).contains("\"proto\":\"HTTP/1.1\"");
            } finally {
              apps.forEach(EchoServer::close);
            }
          }
        });
  }

  private static void deploy(Mesh mesh, List<EchoServer> apps, String service, String portName) {
    EchoServer app =
        EchoServer.builder()
            .service(service)
            .version("v1")
            .instance(service + "-v1-0")
            .eventLoopGroup(mesh.eventLoops())
            .build()
            .start();
    apps.add(app);
    mesh.deploy(
        WorkloadSpec.builder(service + "-v1-0")
            .label("version", "v1")
            .serves(service, 80, app.address())
            .portName(portName)
            .build());
  }
}
