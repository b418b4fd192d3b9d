package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ScenarioResult;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The negative halves of MeshAuthorizationPolicyDryRun and MeshAuthorizationPolicyAudit: the same
 * runs with the policies enforced (the {@code istio.io/dry-run} annotation set to false; the AUDIT
 * action as DENY) fail on every target, because the refused requests are answered 403 and the RBAC
 * filters count them as denied; so the entries prove that dry-run and AUDIT policies decide
 * nothing, not that the policies never match.
 */
class AuthorizationCatalogueNegativeIT {

  @TestFactory
  Stream<DynamicTest> enforcedPoliciesRefuseWhatTheEntriesLetThrough() {
    return Stream.concat(
        CatalogueNegative.of(
                "mesh-authorization-dry-run.scenario.yaml", "without the dry-run annotation")
            .istioFile(
                "mesh-authorization-dry-run.yaml",
                yaml -> yaml.replace("istio.io/dry-run: \"true\"", "istio.io/dry-run: \"false\""))
            // other's 20 and the 10 /admin requests: 403 from catalog's sidecar
            .failsOnEveryTarget(refused("http.inbound_*.rbac.denied is 30 (expected 0)")),
        CatalogueNegative.of("mesh-authorization-audit.scenario.yaml", "with AUDIT as DENY")
            .istioFile(
                "mesh-authorization-audit.yaml",
                yaml -> yaml.replace("action: AUDIT", "action: DENY"))
            .failsOnEveryTarget(refused("http.inbound_*.rbac.denied is 10 (expected 0)")));
  }

  private static Consumer<ScenarioResult> refused(String deniedMessage) {
    return result ->
        assertThat(result.expectations())
            .filteredOn(e -> !e.passed())
            .as(result.failureSummary())
            .anySatisfy(e -> assertThat(e.message()).isEqualTo(deniedMessage))
            .anySatisfy(e -> assertThat(e.message()).contains("403"));
  }
}
