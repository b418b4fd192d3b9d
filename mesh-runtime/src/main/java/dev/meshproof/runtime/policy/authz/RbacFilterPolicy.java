package dev.meshproof.runtime.policy.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP RBAC filter ({@code extensions.filters.http.rbac.v3.RBAC}) as a pure decision: the
 * enforced {@code rules} (absent: every request passes) and the {@code shadow_rules}, evaluated and
 * counted but never enforced (Istio's dry-run policies), whose counters carry {@code
 * shadowRulesStatPrefix}. Envoy answers a refused request 403 with the body {@code RBAC: access
 * denied}.
 */
public record RbacFilterPolicy(
    Optional<RbacRules> rules, Optional<RbacRules> shadowRules, String shadowRulesStatPrefix) {

  /** The local reply body of a refused request, as Envoy's RBAC filter writes it. */
  public static final String ACCESS_DENIED = "RBAC: access denied";

  public RbacFilterPolicy {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(shadowRules, "shadowRules");
    Objects.requireNonNull(shadowRulesStatPrefix, "shadowRulesStatPrefix");
  }

  /** A filter whose shadow rules (if any) count without a stat prefix. */
  public RbacFilterPolicy(Optional<RbacRules> rules, Optional<RbacRules> shadowRules) {
    this(rules, shadowRules, "");
  }

  /** The filter's decision for {@code request}, with the policy that decided when one matched. */
  public Decision decide(RbacRequest request) {
    Optional<Boolean> shadowAllowed = shadowRules.map(s -> s.allows(request));
    if (rules.isEmpty()) {
      return new Decision(
          true,
          Optional.empty(),
          shadowMatch(request),
          false,
          shadowAllowed,
          counters(null, shadowAllowed));
    }
    RbacRules enforced = rules.get();
    boolean allowed = enforced.allows(request);
    return new Decision(
        allowed,
        enforced.matchedPolicy(request),
        shadowMatch(request),
        true,
        shadowAllowed,
        counters(allowed, shadowAllowed));
  }

  private Optional<String> shadowMatch(RbacRequest request) {
    return shadowRules.flatMap(s -> s.matchedPolicy(request));
  }

  /**
   * The counters Envoy 1.40's filter increments under {@code http.<stat_prefix>.rbac.}: the shadow
   * engine's {@code shadow_allowed} / {@code shadow_denied} (after {@code
   * <shadow_rules_stat_prefix>.} when one is set, as Envoy 1.40 prints them: {@code
   * rbac.istio_dry_run_allow_.shadow_denied}), then the enforced engine's {@code allowed} / {@code
   * denied} (a LOG engine always allows). Measured on Envoy 1.40: no {@code logged} counter.
   */
  private List<String> counters(Boolean allowed, Optional<Boolean> shadowAllowed) {
    List<String> out = new ArrayList<>(2);
    shadowAllowed.ifPresent(
        s ->
            out.add(
                (shadowRulesStatPrefix.isEmpty() ? "" : shadowRulesStatPrefix + ".")
                    + (s ? "shadow_allowed" : "shadow_denied")));
    if (allowed != null) {
      out.add(allowed ? "allowed" : "denied");
    }
    return List.copyOf(out);
  }

  /**
   * What the filter decided: through or refused, the enforced policy that matched (for the response
   * code details {@code rbac_access_denied_matched_policy[...]}), the shadow policy that matched,
   * whether enforced rules were evaluated, the shadow rules' verdict (absent without shadow rules)
   * and the counters (names after {@code rbac.}) the decision increments.
   */
  public record Decision(
      boolean allowed,
      Optional<String> matchedPolicy,
      Optional<String> shadowPolicy,
      boolean enforced,
      Optional<Boolean> shadowAllowed,
      List<String> counters) {

    public Decision {
      counters = List.copyOf(counters);
    }

    /** Envoy's response code details of a refused request. */
    public String details() {
      return "rbac_access_denied_matched_policy[" + matchedPolicy.orElse("none") + "]";
    }
  }
}
