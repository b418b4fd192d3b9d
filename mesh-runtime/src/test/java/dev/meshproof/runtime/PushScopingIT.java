package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.xds.ControlPlane;
import dev.meshproof.runtime.xds.ProxyStatus;
import dev.meshproof.runtime.xds.PushDebounce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pushes as istiod scopes them: a new endpoint of a service already known re-sends only EDS (CDS,
 * LDS and RDS stay at the version the proxy holds), on our sidecar and on Envoy; and deploying many
 * workloads in a burst merges their pushes (debounce) while {@link Mesh#awaitSynced()} still
 * returns only once every proxy holds the final configuration.
 */
class PushScopingIT {

  @Test
  void aNewEndpointIsAnEdsOnlyPush() {
    assertEdsOnlyPush(DataPlane.embedded());
  }

  @Test
  void aNewEndpointIsAnEdsOnlyPushToEnvoy() {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElseThrow());
    assertEdsOnlyPush(EnvoyDataPlane.create());
  }

  private static void assertEdsOnlyPush(DataPlane dataPlane) {
    try (Mesh mesh = Mesh.builder().dataPlane(dataPlane).start();
        CatalogTopology catalog = CatalogTopology.deploy(mesh);
        TestApp extra = new TestApp("catalog-v1-extra")) {
      mesh.apply(CatalogTopology.DESTINATION_RULE, "dr.yaml");
      mesh.awaitSynced();
      String client = catalog.client().sidecar().proxyId();
      ProxyStatus before = mesh.proxyStatus().get(client);

      mesh.deploy(
          WorkloadSpec.builder("catalog-v1-1")
              .label("version", "v1")
              .serves("catalog", 80, extra.address())
              .build());
      mesh.awaitSynced();
      ProxyStatus after = mesh.proxyStatus().get(client);

      assertThat(after.synced()).isTrue();
      assertThat(after.snapshotVersion()).isNotEqualTo(before.snapshotVersion());
      assertThat(after.types().get("EDS").ackedVersion())
          .isNotEqualTo(before.types().get("EDS").ackedVersion());
      for (String type : List.of("CDS", "LDS", "RDS")) {
        assertThat(after.types().get(type).sentVersion())
            .as(type + " not re-sent")
            .isEqualTo(before.types().get(type).sentVersion());
      }
    }
  }

  @Test
  void aBurstOfDeploymentsIsMergedIntoFewerPushesAndStillSyncs() {
    int workloads = 12;
    Map<String, Long> snapshots = new java.util.LinkedHashMap<>();
    // A quiet period longer than the whole burst, so every deployment joins one pending push.
    PushDebounce merging = new PushDebounce(Duration.ofSeconds(30), Duration.ofSeconds(60));
    for (PushDebounce debounce : List.of(PushDebounce.NONE, merging)) {
      long start = System.nanoTime();
      try (Mesh mesh = Mesh.builder().pushDebounce(debounce).start();
          TestApp app = new TestApp("burst")) {
        List<Workload> deployed = new ArrayList<>();
        for (int i = 0; i < workloads; i++) {
          deployed.add(
              mesh.deploy(
                  WorkloadSpec.builder("svc" + i + "-0")
                      .serves("svc" + i, 80, app.address())
                      .build()));
        }
        mesh.awaitSynced();
        ControlPlane.PushStats stats = mesh.controlPlane().pushStats();
        snapshots.put(debounce.toString(), stats.proxySnapshots());
        System.out.printf(
            "debounce %s: %d deployments synced in %d ms, %d proxy snapshots, %d pushes%n",
            debounce,
            workloads,
            (System.nanoTime() - start) / 1_000_000,
            stats.proxySnapshots(),
            stats.pushes());
        assertThat(mesh.proxyStatus().values()).allMatch(ProxyStatus::synced);
        assertThat(mesh.proxyStatus()).hasSize(workloads);
      }
    }
    // Without debounce, the i-th deployment re-pushes the i proxies already there: n(n+1)/2.
    assertThat(snapshots.get(PushDebounce.NONE.toString()))
        .isEqualTo((long) workloads * (workloads + 1) / 2);
    // Merged: one push at awaitSynced, one snapshot per proxy.
    assertThat(snapshots.get(merging.toString())).isEqualTo(workloads);
  }
}
