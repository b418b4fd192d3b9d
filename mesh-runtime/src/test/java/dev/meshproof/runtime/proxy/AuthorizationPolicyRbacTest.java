package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.authz.RbacFilterPolicy;
import dev.meshproof.runtime.policy.authz.RbacRequest;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.xds.AuthorizationBuilder;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.ProxyNode;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * AuthorizationPolicies translated as istiod does ({@link AuthorizationBuilder}), decoded by the
 * embedded sidecar ({@link RbacDecoder}) and decided by the pure {@link RbacFilterPolicy}s in
 * filter order: Istio's evaluation (DENY before ALLOW, no ALLOW policy = allow, ALLOW policies and
 * none matching = deny, a policy without rules matches nothing, a rule {@code {}} everything).
 */
class AuthorizationPolicyRbacTest {
  private static final int SERVICE_PORT = 9080;
  private static final int LISTENER_PORT = 15006;
  private static final String SLEEP = "spiffe://cluster.local/ns/default/sa/sleep";
  private static final String OTHER_NS = "spiffe://cluster.local/ns/legacy/sa/sleep";

  private static final ProxyNode REVIEWS =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "reviews-0", "default", Map.of("app", "reviews"), IstioVersion.CURRENT),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 15001),
          Optional.of(
              new ProxyNode.Inbound(
                  SERVICE_PORT,
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), LISTENER_PORT),
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080))));

  private static List<RbacFilterPolicy> filters(String yaml) {
    List<AuthorizationPolicy> policies =
        IstioYamlParser.parse(yaml, "authz.yaml", "default").stream()
            .map(AuthorizationPolicy.class::cast)
            .toList();
    List<HttpFilter> translated =
        AuthorizationBuilder.inboundFilters(policies, REVIEWS, REVIEWS.inbound().orElseThrow());
    return translated.stream()
        .map(f -> RbacDecoder.filter(f.getTypedConfig(), f.getName()))
        .toList();
  }

  /** The chain's verdict: refused as soon as one filter refuses. */
  private static boolean allowed(List<RbacFilterPolicy> filters, RbacRequest request) {
    return filters.stream().allMatch(f -> f.decide(request).allowed());
  }

  private static RbacRequest request(Optional<String> peer, String method, String path, int port) {
    return new RbacRequest(
        peer,
        InetAddress.getLoopbackAddress(),
        port,
        new RequestHeaders(method, path, "reviews", Map.of("x-team", List.of("blue"))));
  }

  private static RbacRequest get(String peer, String path) {
    return request(Optional.ofNullable(peer), "GET", path, LISTENER_PORT);
  }

  private static String policy(String name, String action, String rules) {
    return "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: "
        + name
        + ", namespace: default}\nspec:\n  action: "
        + action
        + "\n"
        + rules
        + "---\n";
  }

  @Test
  void noPolicyMeansNoFilterAndEverythingPasses() {
    assertThat(filters("")).isEmpty();
  }

  @Test
  void anAllowPolicyLetsInOnlyWhatItsRulesMatch() {
    List<RbacFilterPolicy> allow =
        filters(
            policy(
                "reviews-viewer",
                "ALLOW",
                "  rules:\n"
                    + "  - from: [{source: {principals: [cluster.local/ns/default/sa/sleep]}}]\n"
                    + "    to: [{operation: {methods: [GET], paths: [/reviews/*]}}]\n"));

    assertThat(allowed(allow, get(SLEEP, "/reviews/1?x=1"))).isTrue();
    assertThat(allowed(allow, get(SLEEP, "/ratings/1"))).isFalse();
    assertThat(allowed(allow, get(OTHER_NS, "/reviews/1"))).isFalse();
    assertThat(allowed(allow, get(null, "/reviews/1"))).as("plaintext: no principal").isFalse();
    assertThat(allowed(allow, request(Optional.of(SLEEP), "POST", "/reviews/1", LISTENER_PORT)))
        .isFalse();
  }

  @Test
  void anAllowPolicyWithoutRulesDeniesEverythingAndARuleOfNothingAllowsEverything() {
    assertThat(allowed(filters(policy("deny-all", "ALLOW", "")), get(SLEEP, "/"))).isFalse();
    assertThat(allowed(filters(policy("allow-all", "ALLOW", "  rules: [{}]\n")), get(null, "/")))
        .isTrue();
  }

  @Test
  void denyWinsOverAllowAndNamespacesMatchThePeersNamespace() {
    List<RbacFilterPolicy> both =
        filters(
            policy("allow-all", "ALLOW", "  rules: [{}]\n")
                + policy(
                    "deny-legacy",
                    "DENY",
                    "  rules: [{from: [{source: {namespaces: [legacy]}}]}]\n"));

    assertThat(allowed(both, get(OTHER_NS, "/"))).isFalse();
    assertThat(allowed(both, get(SLEEP, "/"))).isTrue();
    assertThat(allowed(both, get(null, "/"))).isTrue();
  }

  @Test
  void notFormsPortsHeadersAndAuditAreTranslated() {
    List<RbacFilterPolicy> filters =
        filters(
            policy(
                    "allow",
                    "ALLOW",
                    "  rules:\n"
                        + "  - from: [{source: {notNamespaces: [legacy]}}]\n"
                        + "    to: [{operation: {ports: [\"9080\"], notPaths: [/admin*]}}]\n"
                        + "    when: [{key: 'request.headers[x-team]', values: [blue, green]}]\n")
                + policy("audit", "AUDIT", "  rules: [{}]\n"));

    assertThat(filters).hasSize(2);
    assertThat(allowed(filters, get(SLEEP, "/items"))).isTrue();
    assertThat(allowed(filters, get(SLEEP, "/admin/x"))).isFalse();
    assertThat(allowed(filters, get(OTHER_NS, "/items"))).isFalse();
    assertThat(allowed(filters, request(Optional.of(SLEEP), "GET", "/items", 1234))).isFalse();
    assertThat(
            allowed(
                filters,
                new RbacRequest(
                    Optional.of(SLEEP),
                    InetAddress.getLoopbackAddress(),
                    LISTENER_PORT,
                    new RequestHeaders("GET", "/items", "reviews", Map.of()))))
        .isFalse();
  }

  @Test
  void aRefusalNamesThePolicyThatDecided() {
    RbacFilterPolicy.Decision decision =
        filters(policy("deny-get", "DENY", "  rules: [{to: [{operation: {methods: [GET]}}]}]\n"))
            .get(0)
            .decide(get(SLEEP, "/"));

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.details())
        .isEqualTo("rbac_access_denied_matched_policy[ns[default]-policy[deny-get]-rule[0]]");
  }

  /** A matching DENY always wins over any ALLOW; with an ALLOW present, matching none denies. */
  @Property(tries = 60)
  void denyWinsAndAnUnmatchedAllowDenies(
      @ForAll @IntRange(min = 0, max = 3) int allowPath, @ForAll boolean denyMatches) {
    String allowRules =
        allowPath == 0 ? "" : "  rules: [{to: [{operation: {paths: [/p" + allowPath + "]}}]}]\n";
    String denyRules =
        "  rules: [{to: [{operation: {paths: [" + (denyMatches ? "/p1" : "/never") + "]}}]}]\n";
    List<RbacFilterPolicy> filters =
        filters(policy("allow", "ALLOW", allowRules) + policy("deny", "DENY", denyRules));

    boolean verdict = allowed(filters, get(SLEEP, "/p1"));

    boolean allowMatches = allowPath == 1;
    assertThat(verdict).isEqualTo(allowMatches && !denyMatches);
  }
}
