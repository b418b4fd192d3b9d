package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Our sidecar's HTTP/2 path on real sockets: downstream connections that carry thousands of streams
 * (Envoy's HTTP connection manager has no per-connection stream limit), upstream HTTP/2 connections
 * that multiplex streams, and gRPC deadlines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2PathIT {
  private Mesh mesh;
  private TestApp catalog;
  private Workload client;

  @BeforeAll
  void startMesh() {
    mesh = Mesh.builder().seed(11).start();
    catalog = new TestApp("catalog");
    mesh.deploy(WorkloadSpec.builder("catalog-0").serves("catalog", 80, catalog.address()).build());
    client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "client").build());
    mesh.awaitSynced();
  }

  @AfterAll
  void stopMesh() {
    mesh.close();
    catalog.close();
  }

  @Test
  void oneDownstreamConnectionCarriesMoreThanAThousandStreams() {
    try (H2cTestClient h2 = new H2cTestClient(client.sidecar().outboundAddress())) {
      List<H2cTestClient.Answer> answers = h2.getMany("catalog", "/stream/", 1_500, 50);

      assertThat(answers).hasSize(1_500).allSatisfy(a -> assertThat(a.ok()).isTrue());
      assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
      assertThat(answers.get(1_499).body()).isEqualTo("catalog /stream/1499");
      assertThat(h2.isOpen()).isTrue();
      assertThat(h2.goAwayReceived()).isFalse();
    }
  }

  @Test
  void oneDownstreamConnectionCarriesHundredsOfConcurrentStreams() {
    try (H2cTestClient h2 = new H2cTestClient(client.sidecar().outboundAddress())) {
      List<H2cTestClient.Answer> answers = h2.getMany("catalog", "/concurrent/", 600, 300);

      assertThat(answers).allSatisfy(a -> assertThat(a.failure()).isNull());
      assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
      assertThat(h2.isOpen()).isTrue();
    }
  }
}
