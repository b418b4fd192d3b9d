package dev.meshproof.runtime.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * IST0127 (no matching workloads) on AuthorizationPolicies, against Istio's own test data for
 * {@code authz.AuthorizationPoliciesAnalyzer} (its IST0101 namespace findings are not built), and
 * on the policies of an ingress gateway scenario.
 */
class PolicySelectorCheckTest {

  @Test
  void istioCorpusPoliciesWithoutWorkloadsAreReported() throws Exception {
    Path path =
        Path.of(
            PolicySelectorCheckTest.class
                .getResource("/istio-analyzer/analyzer-testdata/authorizationpolicies.yaml")
                .toURI());
    List<Finding> findings =
        Analyzer.run(
            List.of(new Analyzer.Source(path.toString(), Files.readString(path))),
            List.of(),
            List.of(Check.POLICY_SELECTORS));

    assertThat(findings)
        .extracting(f -> f.code().code() + " " + f.resource())
        .containsExactlyInAnyOrder(
            "IST0127 AuthorizationPolicy istio-system/meshwide-httpbin-v1",
            "IST0127 AuthorizationPolicy httpbin-empty/httpbin-empty-namespace-wide",
            "IST0127 AuthorizationPolicy httpbin/httpbin-nopods",
            "IST0127 AuthorizationPolicy test-ambient/no-workload",
            "IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns",
            "IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns",
            "IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns",
            "IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns");
    assertThat(findings)
        .filteredOn(f -> f.resource().endsWith("/httpbin-nopods"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .isEqualTo(
                        "No matching workloads for this resource with the following labels:"
                            + " app=bogus-label,version=v1"));
  }

  @Test
  void gatewayPoliciesSelectTheGatewayPodAndAMissedSelectorIsReported() {
    String yaml =
        """
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: gateway-jwt
          namespace: istio-system
        spec:
          selector:
            matchLabels:
              app: istio-ingressgateway
          jwtRules:
          - issuer: auth@istioinaction.io
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: typo
          namespace: istio-system
        spec:
          selector:
            matchLabels:
              app: istio-ingresgateway
          action: DENY
          rules:
          - {}
        ---
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: nobody
          namespace: default
        spec:
          selector:
            matchLabels:
              app: ratings
          jwtRules:
          - issuer: auth@istioinaction.io
        """;
    List<RegistryPod> pods =
        List.of(
            new RegistryPod(
                "istio-ingressgateway",
                "istio-system",
                Map.of("istio", "ingressgateway", "app", "istio-ingressgateway")),
            new RegistryPod("webapp-v1-0", "default", Map.of("app", "webapp", "version", "v1")));

    List<Finding> findings =
        Analyzer.run(
            List.of(new Analyzer.Source("gateway.yaml", yaml)),
            List.of(),
            pods,
            List.of(Check.POLICY_SELECTORS));

    assertThat(findings)
        .extracting(Finding::toString)
        .containsExactly(
            "IST0127 Warning AuthorizationPolicy istio-system/typo gateway.yaml:20 No matching"
                + " workloads for this resource with the following labels:"
                + " app=istio-ingresgateway",
            "IST0127 Warning RequestAuthentication default/nobody gateway.yaml:33 No matching"
                + " workloads for this resource with the following labels: app=ratings");
  }
}
