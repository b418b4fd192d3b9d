package dev.meshproof.runtime.policy.authz;

import java.util.List;

/**
 * Envoy's {@code config.rbac.v3.Policy}: it matches a request when some permission and some
 * principal match.
 */
public record RbacPolicy(List<RbacPermission> permissions, List<RbacPrincipal> principals) {

  public RbacPolicy {
    permissions = List.copyOf(permissions);
    principals = List.copyOf(principals);
  }

  public boolean matches(RbacRequest request) {
    return permissions.stream().anyMatch(p -> p.matches(request))
        && principals.stream().anyMatch(p -> p.matches(request));
  }
}
