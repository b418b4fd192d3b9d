package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ServiceEntries on both data planes from one translation: a MESH_EXTERNAL host with a STATIC
 * loopback endpoint (an app without sidecar), and a MESH_INTERNAL host whose endpoints are
 * WorkloadEntries selected by label, pointing at workloads' sidecars (reached through the mesh),
 * routed by subset on the WorkloadEntries' labels. Before the entry is applied the host is unknown
 * (404 NR).
 */
class ServiceEntryIT {

  static Stream<Supplier<DataPlane>> dataPlanes() {
    return Stream.of(DataPlane::embedded, ServiceEntryIT::envoy);
  }

  private static DataPlane envoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    return EnvoyDataPlane.create();
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void meshExternalStaticEndpointOnLoopbackIsReachedByHost(Supplier<DataPlane> dataPlane) {
    try (TestApp external = new TestApp("external");
        Mesh mesh = Mesh.builder().seed(5).dataPlane(dataPlane.get()).start()) {
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "c").build());
      mesh.awaitSynced();
      HttpOutcome before = client.http().get("http://api.example.com/x").join();
      // ALLOW_ANY's catch-all: a name outside the registry finds no host (503 UH), never NR.
      assertThat(before.status()).as("unknown host before the entry").isEqualTo(503);

      mesh.apply(
          """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: api}
          spec:
            hosts: [api.example.com]
            location: MESH_EXTERNAL
            ports: [{number: 80, name: http, protocol: HTTP}]
            resolution: STATIC
            endpoints: [{address: 127.0.0.1, ports: {http: %d}}]
          """
              .formatted(external.address().getPort()),
          "se.yaml");
      mesh.awaitSynced();

      HttpOutcome after = client.http().get("http://api.example.com/x").join();
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body()).isEqualTo("external /x");
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void meshInternalWorkloadEntriesAreSelectedByLabelAndRoutedBySubset(
      Supplier<DataPlane> dataPlane) {
    try (Mesh mesh = Mesh.builder().seed(5).dataPlane(dataPlane.get()).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
      InetSocketAddress v1 = inbound(mesh, "catalog-v1-0");
      InetSocketAddress v2 = inbound(mesh, "catalog-v2-0");
      mesh.apply(
          """
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: legacy-a}
          spec: {address: 127.0.0.1, labels: {app: legacy, version: a}, ports: {http: %d}}
          ---
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: legacy-b}
          spec: {address: 127.0.0.1, labels: {app: legacy, version: b}, ports: {http: %d}}
          ---
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: legacy}
          spec:
            hosts: [legacy.internal.example]
            location: MESH_INTERNAL
            ports: [{number: 8080, name: http, protocol: HTTP}]
            resolution: STATIC
            workloadSelector: {labels: {app: legacy}}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: legacy}
          spec:
            host: legacy.internal.example
            subsets:
            - {name: a, labels: {version: a}}
            - {name: b, labels: {version: b}}
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: legacy}
          spec:
            hosts: [legacy.internal.example]
            http:
            - route:
              - destination: {host: legacy.internal.example, subset: b}
          """
              .formatted(v1.getPort(), v2.getPort()),
          "legacy.yaml");
      mesh.awaitSynced();

      for (int i = 0; i < 10; i++) {
        HttpOutcome outcome =
            catalog.client().http().get("http://legacy.internal.example:8080/r" + i).join();
        assertThat(outcome.status()).isEqualTo(200);
        // Subset b is the WorkloadEntry on catalog-v2's sidecar: answered by its app.
        assertThat(outcome.body()).isEqualTo("catalog-v2 /r" + i);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void dnsResolutionReachesTheEndpointsNameOnLoopbackThroughAStrictDnsCluster(
      Supplier<DataPlane> dataPlane) {
    try (TestApp external = new TestApp("external");
        Mesh mesh = Mesh.builder().seed(5).dataPlane(dataPlane.get()).start()) {
      Workload client = mesh.deploy(WorkloadSpec.builder("client-0").label("app", "c").build());
      mesh.apply(
          """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: named}
          spec:
            hosts: [named.example.com]
            location: MESH_EXTERNAL
            ports: [{number: 80, name: http, protocol: HTTP}]
            resolution: DNS
            endpoints: [{address: localhost, ports: {http: %d}}]
          """
              .formatted(external.address().getPort()),
          "se-dns.yaml");
      mesh.awaitSynced();

      HttpOutcome outcome = client.http().get("http://named.example.com/d").join();
      assertThat(outcome.status()).isEqualTo(200);
      assertThat(outcome.body()).isEqualTo("external /d");
      assertThat(client.sidecar().configDump()).contains("STRICT_DNS").contains("localhost");
    }
  }

  @org.junit.jupiter.api.Test
  void dnsNameResolvingOffLoopbackIsRejectedAtApply() {
    try (Mesh mesh = Mesh.builder().seed(5).start()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  mesh.apply(
                      """
                      apiVersion: networking.istio.io/v1
                      kind: ServiceEntry
                      metadata: {name: named}
                      spec:
                        hosts: [named.example.com]
                        ports: [{number: 80, name: http, protocol: HTTP}]
                        resolution: DNS
                        endpoints: [{address: no-such-host.invalid}]
                      """,
                      "se-dns.yaml"))
          .isInstanceOf(dev.meshproof.runtime.config.InvalidConfigException.class)
          .hasMessageContaining("se-dns.yaml:")
          .hasMessageContaining("\"no-such-host.invalid\" resolves to no IPv4 address");
    }
  }

  private static InetSocketAddress inbound(Mesh mesh, String workload) {
    return mesh.workload("default", workload)
        .orElseThrow()
        .sidecar()
        .inboundAddress()
        .orElseThrow();
  }
}
