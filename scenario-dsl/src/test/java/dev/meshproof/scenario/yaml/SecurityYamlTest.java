package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.expect.Expectations;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code security} block and the security expectations of scenario files. */
class SecurityYamlTest {
  private static final String SECURE =
      """
      name: catalog strict
      services:
        - name: catalog
          versions: {v1: 1, v2: 1}
      clients: [client, legacy]
      security:
        trustDomain: example.org
        workloadCertTtl: 4s
        autoMtls: false
        serviceAccounts: {catalog: catalog, catalog/v2: catalog-canary, client: sleep}
        clientsWithoutSidecar: [legacy]
      traffic:
        - from: client
          url: http://catalog/
          requests: 2
        - from: legacy
          url: http://catalog/
          requests: 2
      expect:
        - reachability:
            - {from: client, to: catalog, expect: allowed}
            - {from: legacy, to: catalog, expect: reset}
        - peerIdentity: {principal: "spiffe://example.org/ns/default/sa/sleep", distinctCertificatesAtLeast: 2}
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse("s.yaml", text, f -> Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void theSecurityBlockEnablesTheCaWithItsSettingsAccountsAndSidecarlessClients() {
    Scenario scenario = parse(SECURE).scenario();

    MeshSecurity ca = scenario.security().ca().orElseThrow();
    assertThat(ca.trustDomain()).isEqualTo("example.org");
    assertThat(ca.workloadCertTtl()).isEqualTo(Duration.ofSeconds(4));
    assertThat(ca.autoMtls()).isFalse();
    assertThat(scenario.security().serviceAccountOf("catalog", "v1")).isEqualTo("catalog");
    assertThat(scenario.security().serviceAccountOf("catalog", "v2")).isEqualTo("catalog-canary");
    assertThat(scenario.security().serviceAccountOfClient("client")).isEqualTo("sleep");
    assertThat(scenario.security().serviceAccountOfClient("legacy")).isEqualTo("default");
    assertThat(scenario.security().withoutSidecar("legacy")).isTrue();
    assertThat(scenario.expectations())
        .extracting(e -> e.description())
        .containsExactly(
            "reachability: client → catalog allowed, legacy → catalog reset",
            "the callee saw the caller as spiffe://example.org/ns/default/sa/sleep through at"
                + " least 2 distinct certificates");
  }

  @Test
  void aScenarioWithoutTheBlockHasNoCa() {
    String plain = SECURE.replaceAll("(?s)security:.*?traffic:", "traffic:");
    assertThat(
            parse(plain.replace("[client, legacy]", "[client, legacy]")).scenario().security().ca())
        .isEmpty();
  }

  @Test
  void itWritesBackAndReadsTheSame() {
    Scenario scenario = parse(SECURE).scenario();

    String written = ScenarioYaml.write(scenario, Map.of(), false);
    Scenario back = parse(written).scenario();

    assertThat(back.security()).isEqualTo(scenario.security());
    assertThat(written).contains("workloadCertTtl: 4s").contains("clientsWithoutSidecar:");
    assertThat(back.expectations().stream().map(e -> e.toYaml()).toList())
        .isEqualTo(scenario.expectations().stream().map(e -> e.toYaml()).toList());
  }

  @Test
  void badSecurityInputIsReportedWhereItWasWritten() {
    String text =
        SECURE
            .replace("clientsWithoutSidecar: [legacy]", "clientsWithoutSidecar: [legasy]")
            .replace("client: sleep}", "client: Sleep_1, catalgo: x}");

    assertThat(problems(text))
        .contains(
            "s.yaml:11:27: security.clientsWithoutSidecar[0]: \"legasy\" is not a declared"
                + " client, did you mean \"legacy\"?")
        .contains(
            "security.serviceAccounts.client: serviceAccount: Sleep_1 for client (expected: a"
                + " Kubernetes name")
        .contains("s.yaml:10:")
        .contains(
            "security.serviceAccounts.catalgo: not a declared workload, did you mean"
                + " \"catalog\"? (expected one of [client, legacy, catalog, catalog/v1,"
                + " catalog/v2])");
  }

  @Test
  void aReachabilityOutcomeListsTheAllowedOnes() {
    assertThat(problems(SECURE.replace("expect: reset", "expect: refused")))
        .contains(
            "expect[0].reachability[1].expect: \"refused\" (expected: one of [allowed, reset, 401,"
                + " 403, 503])");
  }

  @Test
  void theJavaDslStatesTheSame() {
    Scenario scenario =
        Scenario.named("strict")
            .service("catalog", s -> s.version("v1"))
            .client("client")
            .clientWithoutSidecar("legacy")
            .security(MeshSecurity.defaults())
            .serviceAccount("client", "sleep")
            .traffic(t -> t.from("legacy").get("http://catalog/").requests(1))
            .expect(Expectations.reachability().denied("legacy", "catalog", "reset"))
            .build();

    assertThat(scenario.clients()).containsExactly("client", "legacy");
    assertThat(scenario.security().clientsWithoutSidecar()).containsExactly("legacy");
    assertThatThrownBy(
            () -> Expectations.reachability().denied("legacy", "catalog", "allowed").build())
        .hasMessageContaining("denied: allowed");
    assertThatThrownBy(() -> Expectations.peerIdentity("sleep"))
        .hasMessageContaining("expected: spiffe://");
  }
}
