package dev.meshproof.runtime.policy.authz;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy's {@code config.rbac.v3.RBAC}: an action and named policies. ALLOW lets a request through
 * when some policy matches; DENY refuses it when some policy matches; LOG never refuses (Istio's
 * AUDIT action) and only records the match.
 */
public record RbacRules(Action action, Map<String, RbacPolicy> policies) {

  /** {@code RBAC.Action}. */
  public enum Action {
    ALLOW,
    DENY,
    LOG
  }

  public RbacRules {
    policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
  }

  /** The first policy (in name order, as Envoy's map iterates deterministically) that matches. */
  public Optional<String> matchedPolicy(RbacRequest request) {
    return policies.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .filter(e -> e.getValue().matches(request))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** Whether these rules let the request through (Envoy's {@code RoleBasedAccessControlEngine}). */
  public boolean allows(RbacRequest request) {
    boolean matched = matchedPolicy(request).isPresent();
    return switch (action) {
      case ALLOW -> matched;
      case DENY -> !matched;
      case LOG -> true;
    };
  }
}
