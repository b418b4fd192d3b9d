package dev.meshproof.runtime.policy.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ext_authz decisions as Envoy 1.40 makes them (measured against Envoy, see the javadoc). */
class ExtAuthzPolicyTest {
  private static final ExtAuthzPolicy POLICY =
      new ExtAuthzPolicy(
          "outbound|80||ext-authz.default.svc.cluster.local",
          "/ext-authz",
          Duration.ofSeconds(600),
          List.of("X-Ext-Authz"),
          Map.of(),
          List.of("x-ext-authz-check-result"),
          List.of("x-ext-authz-check-result"),
          List.of(),
          false,
          403,
          "istio_ext_authz_shadow_effective_policy_id",
          "istio-ext-authz-sample");

  @Test
  void runsOnlyWhenTheCustomRulesMarkedTheRequest() {
    assertThat(POLICY.enabledFor(Map.of())).isFalse();
    assertThat(
            POLICY.enabledFor(
                Map.of(
                    "istio_ext_authz_shadow_effective_policy_id",
                    "istio-ext-authz-sample-ns[default]-policy[p]-rule[0]")))
        .isTrue();
    assertThat(
            POLICY.enabledFor(
                Map.of("istio_ext_authz_shadow_effective_policy_id", "istio-ext-authz-other-x")))
        .isFalse();
  }

  @Test
  void theCheckKeepsMethodPrefixesThePathAndSendsOnlyAllowedHeaders() {
    ExtAuthzPolicy.CheckRequest check =
        POLICY.checkRequest(
            "POST",
            "/items/1?q=1",
            "catalog",
            Map.of(
                "x-ext-authz", List.of("allow"),
                "authorization", List.of("Bearer t"),
                "x-other", List.of("no")));

    assertThat(check.method()).isEqualTo("POST");
    assertThat(check.path()).isEqualTo("/ext-authz/items/1?q=1");
    assertThat(check.headers())
        .containsEntry("host", "catalog")
        .containsEntry("content-length", "0")
        .containsEntry("x-ext-authz", "allow")
        .containsEntry("authorization", "Bearer t")
        .containsEntry("x-envoy-internal", "true")
        .containsEntry("x-envoy-expected-rq-timeout-ms", "600000")
        .doesNotContainKey("x-other");
  }

  @Test
  void a200AllowsWithTheUpstreamHeadersAnythingElseDeniesWithTheClientHeaders() {
    Map<String, List<String>> answer =
        Map.of("x-ext-authz-check-result", List.of("allowed"), "x-echo-instance", List.of("e"));
    assertThat(POLICY.onResponse(200, answer, ""))
        .isEqualTo(new ExtAuthzPolicy.Allow(Map.of("x-ext-authz-check-result", "allowed"), "ok"));

    ExtAuthzPolicy.Verdict denied = POLICY.onResponse(403, answer, "denied by test");
    assertThat(denied)
        .isEqualTo(
            new ExtAuthzPolicy.Deny(
                403,
                Map.of("x-ext-authz-check-result", List.of("allowed")),
                "denied by test",
                "denied"));
  }

  @Test
  void anUnreachableProviderRefusesUnlessFailOpen() {
    assertThat(POLICY.onError()).isEqualTo(new ExtAuthzPolicy.Deny(403, Map.of(), "", "error"));
    ExtAuthzPolicy open =
        new ExtAuthzPolicy(
            "c",
            "",
            Duration.ofSeconds(1),
            List.of(),
            Map.of(),
            List.of(),
            List.of(),
            List.of(),
            true,
            403,
            "",
            "");
    assertThat(open.onError()).isEqualTo(new ExtAuthzPolicy.Allow(Map.of(), "error"));
    assertThat(open.enabledFor(Map.of())).as("no filter_enabled_metadata: always").isTrue();
  }
}
