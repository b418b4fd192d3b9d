package dev.meshproof.runtime.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.config.AuthorizationPolicy;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.policy.authz.RbacFilterPolicy;
import dev.meshproof.runtime.policy.authz.RbacRequest;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.xds.ExtAuthzBuilder;
import dev.meshproof.runtime.xds.ProxyIdentity;
import dev.meshproof.runtime.xds.ProxyNode;
import dev.meshproof.runtime.xds.RbacFilterBuilder;
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
 * AuthorizationPolicies translated as istiod does ({@link RbacFilterBuilder}, {@link
 * ExtAuthzBuilder}), decoded by the embedded sidecar ({@link RbacDecoder}) and decided by the pure
 * {@link RbacFilterPolicy}s in filter order: Istio's evaluation (DENY before ALLOW, no ALLOW policy
 * = allow, ALLOW policies and none matching = deny, a policy without rules matches nothing, a rule
 * {@code {}} everything).
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
        RbacFilterBuilder.inboundFilters(policies, REVIEWS, REVIEWS.inbound().orElseThrow());
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

  private static String dryRun(String name, String action, String rules) {
    return policy(name, action, rules)
        .replace(
            "namespace: default}",
            "namespace: default, annotations: {istio.io/dry-run: \"true\"}}");
  }

  @Test
  void dryRunPoliciesAreShadowRulesThatNeverRefuseButCountWhatTheyWouldDecide() {
    List<RbacFilterPolicy> filters =
        filters(
            dryRun(
                    "viewer",
                    "ALLOW",
                    "  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/sleep]}}]}]\n")
                + dryRun(
                    "no-admin", "DENY", "  rules: [{to: [{operation: {paths: [/admin*]}}]}]\n"));

    assertThat(filters)
        .extracting(RbacFilterPolicy::rules, RbacFilterPolicy::shadowRulesStatPrefix)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Optional.empty(), "istio_dry_run_deny_"),
            org.assertj.core.groups.Tuple.tuple(Optional.empty(), "istio_dry_run_allow_"));
    assertThat(allowed(filters, get(OTHER_NS, "/admin/x"))).isTrue();
    assertThat(filters.get(0).decide(get(OTHER_NS, "/admin/x")).counters())
        .containsExactly("istio_dry_run_deny_.shadow_denied");
    assertThat(filters.get(1).decide(get(OTHER_NS, "/admin/x")).counters())
        .containsExactly("istio_dry_run_allow_.shadow_denied");
    assertThat(filters.get(1).decide(get(SLEEP, "/items")).counters())
        .containsExactly("istio_dry_run_allow_.shadow_allowed");
  }

  @Test
  void aDryRunPolicyBesideAnEnforcedOneShadowsOnlyItself() {
    RbacFilterPolicy deny =
        filters(
                policy("no-post", "DENY", "  rules: [{to: [{operation: {methods: [POST]}}]}]\n")
                    + dryRun(
                        "no-admin", "DENY", "  rules: [{to: [{operation: {paths: [/admin*]}}]}]\n"))
            .get(0);

    RbacFilterPolicy.Decision admin = deny.decide(get(SLEEP, "/admin"));
    assertThat(admin.allowed()).isTrue();
    assertThat(admin.shadowPolicy()).contains("ns[default]-policy[no-admin]-rule[0]");
    assertThat(admin.counters()).containsExactly("istio_dry_run_deny_.shadow_denied", "allowed");
    RbacFilterPolicy.Decision post =
        deny.decide(request(Optional.of(SLEEP), "POST", "/items", LISTENER_PORT));
    assertThat(post.allowed()).isFalse();
    assertThat(post.counters()).containsExactly("istio_dry_run_deny_.shadow_allowed", "denied");
  }

  @Test
  void anAuditPolicyIsALogFilterThatLetsEveryRequestThrough() {
    RbacFilterPolicy audit =
        filters(policy("audit", "AUDIT", "  rules: [{to: [{operation: {paths: [/admin*]}}]}]\n"))
            .get(0);

    assertThat(audit.rules().orElseThrow().action())
        .isEqualTo(dev.meshproof.runtime.policy.authz.RbacRules.Action.LOG);
    assertThat(audit.decide(get(null, "/admin/x")).counters()).containsExactly("allowed");
    assertThat(audit.decide(get(null, "/items")).counters()).containsExactly("allowed");
    assertThat(audit.decide(get(null, "/admin/x")).matchedPolicy())
        .contains("ns[default]-policy[audit]-rule[0]");
  }

  @Test
  void aDryRunAnnotationThatIsNotABooleanIsReportedAtItsLine() {
    String yaml = dryRun("viewer", "ALLOW", "  rules: [{}]\n").replace("\"true\"", "\"yes\"");

    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> IstioYamlParser.parse(yaml, "authz.yaml", "default")))
        .hasMessageContaining("authz.yaml:3")
        .hasMessageContaining("metadata.annotations[istio.io/dry-run]")
        .hasMessageContaining("\"yes\" is not a boolean");
  }

  @Test
  void aCustomPolicyMarksMatchingRequestsForItsProvidersExtAuthzFilter() {
    List<AuthorizationPolicy> policies =
        IstioYamlParser.parse(
                policy("ext", "CUSTOM", "  rules: [{to: [{operation: {paths: [/items*]}}]}]\n")
                    .replace(
                        "  action: CUSTOM\n", "  action: CUSTOM\n  provider: {name: sample}\n"),
                "authz.yaml",
                "default")
            .stream()
            .map(AuthorizationPolicy.class::cast)
            .toList();
    var provider =
        dev.meshproof.runtime.config.ExtensionProvider.http(
            "sample", "ext-authz.default.svc.cluster.local", 8000);

    List<HttpFilter> translated =
        ExtAuthzBuilder.customFilters(
            policies, List.of(provider), REVIEWS, REVIEWS.inbound().orElseThrow());

    assertThat(translated)
        .extracting(HttpFilter::getName)
        .containsExactly("envoy.filters.http.rbac", "envoy.filters.http.ext_authz");
    RbacFilterPolicy rbac =
        RbacDecoder.filter(translated.get(0).getTypedConfig(), translated.get(0).getName());
    assertThat(rbac.rules()).isEmpty();
    assertThat(rbac.shadowRulesStatPrefix()).isEqualTo("istio_ext_authz_");
    assertThat(rbac.decide(get(SLEEP, "/items/1")).shadowPolicy())
        .contains("istio-ext-authz-sample-ns[default]-policy[ext]-rule[0]");
    assertThat(rbac.decide(get(SLEEP, "/public")).shadowPolicy()).isEmpty();
    var extAuthz =
        ExtAuthzDecoder.filter(translated.get(1).getTypedConfig(), translated.get(1).getName());
    assertThat(extAuthz.cluster()).isEqualTo("outbound|8000||ext-authz.default.svc.cluster.local");
    assertThat(extAuthz.timeout()).isEqualTo(java.time.Duration.ofSeconds(600));
    assertThat(
            extAuthz.enabledFor(
                Map.of(
                    "istio_ext_authz_shadow_effective_policy_id",
                    "istio-ext-authz-sample-ns[default]-policy[ext]-rule[0]")))
        .isTrue();
    assertThat(
            ExtAuthzBuilder.customFilters(
                policies, List.of(), REVIEWS, REVIEWS.inbound().orElseThrow()))
        .as("an undefined provider: istiod's enforced deny of the same rules")
        .singleElement()
        .satisfies(
            f ->
                assertThat(
                        allowed(
                            List.of(RbacDecoder.filter(f.getTypedConfig(), f.getName())),
                            get(SLEEP, "/items/1")))
                    .isFalse());
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
