package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
    return ConformanceTargets.all().stream()
        .flatMap(
            target ->
                Stream.of(
                    DynamicTest.dynamicTest(
                        "mesh-authorization-dry-run without the annotation on " + target.name(),
                        () ->
                            run(
                                target,
                                "mesh-authorization-dry-run",
                                yaml ->
                                    yaml.replace(
                                        "istio.io/dry-run: \"true\"",
                                        "istio.io/dry-run: \"false\""),
                                // other's 20 and the 10 /admin requests: 403 from catalog's sidecar
                                "http.inbound_*.rbac.denied is 30 (expected 0)")),
                    DynamicTest.dynamicTest(
                        "mesh-authorization-audit as DENY on " + target.name(),
                        () ->
                            run(
                                target,
                                "mesh-authorization-audit",
                                yaml -> yaml.replace("action: AUDIT", "action: DENY"),
                                "http.inbound_*.rbac.denied is 10 (expected 0)"))));
  }

  private static void run(
      Target target, String id, UnaryOperator<String> enforce, String deniedMessage) {
    String file = id + ".scenario.yaml";
    String policies = id + ".yaml";
    String original = Catalogue.resource(Catalogue.DIRECTORY + policies).orElseThrow();
    String enforced = enforce.apply(original);
    assertThat(enforced).isNotEqualTo(original);
    Scenario scenario =
        ScenarioYaml.parse(
                file + " (enforced)",
                Catalogue.resource(Catalogue.DIRECTORY + file).orElseThrow(),
                name ->
                    name.equals(policies)
                        ? java.util.Optional.of(enforced)
                        : Catalogue.resource(Catalogue.DIRECTORY + name))
            .scenario();

    ScenarioResult result = ScenarioRunner.run(scenario, target);

    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    List<ExpectationResult> failed =
        result.expectations().stream().filter(e -> !e.passed()).toList();
    assertThat(failed)
        .as(result.failureSummary())
        .anySatisfy(e -> assertThat(e.message()).isEqualTo(deniedMessage))
        .anySatisfy(e -> assertThat(e.message()).contains("403"));
  }
}
