package dev.meshproof.runtime;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.client.HttpRequestSpec;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Delegate VirtualServices on both data planes, merged by the control plane as istiod merges them
 * ({@code VirtualServiceDelegation}): a root rule's delegate rules route within the root's match
 * and inherit its response headers; a delegate rule outside the root's match, a delegate that does
 * not exist and one not exported to the root's namespace drop out, so their requests fall through
 * to the root's next rule; changing only the delegate (its {@code exportTo}) re-routes the root's
 * host.
 */
class DelegateVirtualServiceIT {

  static final String ROOT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog}
      spec:
        hosts: [catalog]
        http:
        - name: api
          match: [{uri: {prefix: /api}}]
          headers:
            response:
              set: {x-root: api}
          delegate: {name: catalog-api}
        - name: team
          match: [{uri: {prefix: /team}}]
          delegate: {name: catalog-team, namespace: team}
        - name: missing
          match: [{uri: {prefix: /missing}}]
          delegate: {name: nowhere}
        - name: default
          route: [{destination: {host: catalog, subset: v1}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: catalog-api}
      spec:
        http:
        - name: v2
          match: [{uri: {prefix: /api/v2}}]
          route: [{destination: {host: catalog, subset: v2}}]
        - name: outside
          match: [{uri: {prefix: /other}}]
          route: [{destination: {host: catalog, subset: v2}}]
        - route: [{destination: {host: catalog, subset: v1}}]
      """;

  static String team(String exportTo) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: catalog-team, namespace: team}
        spec:
          exportTo: [%s]
          http:
          - route: [{destination: {host: catalog.default.svc.cluster.local, subset: v2}}]
        """
        .formatted(exportTo);
  }

  @TestFactory
  Stream<DynamicNode> delegatesAreMergedIntoTheirRootOnEveryTarget() {
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
              CatalogTopology catalog = CatalogTopology.deploy(mesh)) {
            mesh.apply(
                CatalogTopology.DESTINATION_RULE + "---\n" + ROOT + "---\n" + team("\".\""),
                "vs.yaml");
            mesh.awaitSynced();
            SoftAssertions soft = new SoftAssertions();
            expect(soft, catalog, "/api/v2/items", "catalog-v2", true);
            expect(soft, catalog, "/api/items", "catalog-v1", true);
            expect(soft, catalog, "/other", "catalog-v1", false); // delegate rule outside /api
            expect(soft, catalog, "/team/items", "catalog-v1", false); // not exported to default
            expect(soft, catalog, "/missing", "catalog-v1", false); // no such delegate
            soft.assertAll();

            mesh.apply(team("\"*\""), "team.yaml");
            mesh.awaitSynced();
            SoftAssertions after = new SoftAssertions();
            expect(after, catalog, "/team/items", "catalog-v2", false);
            expect(after, catalog, "/api/v2/items", "catalog-v2", true);
            after.assertAll();
          }
        });
  }

  private static void expect(
      SoftAssertions soft, CatalogTopology catalog, String path, String app, boolean rootHeader) {
    HttpOutcome outcome =
        catalog.client().http().send(HttpRequestSpec.get("http://catalog" + path)).join();
    soft.assertThat(outcome.status()).as(path + " status").isEqualTo(200);
    soft.assertThat(outcome.header("x-app")).as(path + " served by").contains(app);
    if (rootHeader) {
      soft.assertThat(outcome.header("x-root")).as(path + " root header").contains("api");
    } else {
      soft.assertThat(outcome.header("x-root")).as(path + " root header").isEmpty();
    }
  }
}
