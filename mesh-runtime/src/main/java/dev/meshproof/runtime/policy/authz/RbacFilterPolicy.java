package dev.meshproof.runtime.policy.authz;

import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP RBAC filter ({@code extensions.filters.http.rbac.v3.RBAC}) as a pure decision: the
 * enforced {@code rules} (absent: every request passes) and the {@code shadow_rules}, evaluated and
 * counted but never enforced (Istio's dry-run policies). Envoy answers a refused request 403 with
 * the body {@code RBAC: access denied}.
 */
public record RbacFilterPolicy(Optional<RbacRules> rules, Optional<RbacRules> shadowRules) {

  /** The local reply body of a refused request, as Envoy's RBAC filter writes it. */
  public static final String ACCESS_DENIED = "RBAC: access denied";

  public RbacFilterPolicy {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(shadowRules, "shadowRules");
  }

  /** The filter's decision for {@code request}, with the policy that decided when one matched. */
  public Decision decide(RbacRequest request) {
    if (rules.isEmpty()) {
      return new Decision(true, Optional.empty(), shadowMatch(request));
    }
    RbacRules enforced = rules.get();
    return new Decision(
        enforced.allows(request), enforced.matchedPolicy(request), shadowMatch(request));
  }

  private Optional<String> shadowMatch(RbacRequest request) {
    return shadowRules.flatMap(s -> s.matchedPolicy(request));
  }

  /**
   * What the filter decided: through or refused, the enforced policy that matched (for the response
   * code details {@code rbac_access_denied_matched_policy[...]}), the shadow policy that matched.
   */
  public record Decision(
      boolean allowed, Optional<String> matchedPolicy, Optional<String> shadowPolicy) {

    /** Envoy's response code details of a refused request. */
    public String details() {
      return "rbac_access_denied_matched_policy[" + matchedPolicy.orElse("none") + "]";
    }
  }
}
