package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshproof.runtime.client.HttpOutcome;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MeshLifecycleIT {

  private static long meshThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("meshproof-"))
        // Not a mesh's thread: the JVM-wide Envoy spawner lives as long as the JVM on purpose (the
        // kernel's parent-death signal is tied to the spawning thread), once any Envoy test ran.
        .filter(t -> !t.getName().equals("meshproof-envoy-spawner"))
        .count();
  }

  @Test
  void closingTheMeshStopsEveryListenerAndThreadItStarted() {
    Mesh mesh = Mesh.builder().start();
    int controlPlanePort;
    int outboundPort;
    int inboundPort;
    int adminPort;
    try (TestApp app = new TestApp("catalog")) {
      Workload catalog =
          mesh.deploy(
              WorkloadSpec.builder("catalog-0").serves("catalog", 80, app.address()).build());
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").build());
      mesh.awaitSynced();
      HttpOutcome outcome = client.http().get("http://catalog/").join();
      assertThat(outcome.status()).isEqualTo(200);
      controlPlanePort = mesh.controlPlane().address().getPort();
      outboundPort = client.sidecar().outboundAddress().getPort();
      inboundPort = catalog.sidecar().inboundAddress().orElseThrow().getPort();
      adminPort = catalog.sidecar().adminAddress().orElseThrow().getPort();
      assertThat(meshThreads()).isPositive();
    } finally {
      mesh.close();
    }

    assertThat(mesh.eventLoops().isTerminated()).isTrue();
    for (int port : new int[] {controlPlanePort, outboundPort, inboundPort, adminPort}) {
      assertThat(refused(port)).as("port %d still accepts connections", port).isTrue();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> meshThreads() == 0);
  }

  private static boolean refused(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return false;
    } catch (java.io.IOException expected) {
      return true;
    }
  }
}
