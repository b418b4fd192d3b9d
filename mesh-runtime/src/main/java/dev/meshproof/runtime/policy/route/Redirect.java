package dev.meshproof.runtime.policy.route;

import java.util.Optional;
import java.util.Set;

/**
 * Envoy's {@code RedirectAction} (Istio's {@code HTTPRedirect}): the route answers with a redirect
 * instead of forwarding.
 */
public record Redirect(Optional<String> host, Optional<String> path, int responseCode) {
  private static final Set<Integer> CODES = Set.of(301, 302, 303, 307, 308);

  public Redirect {
    if (!CODES.contains(responseCode)) {
      throw new IllegalArgumentException(
          "responseCode: " + responseCode + " (expected: one of 301, 302, 303, 307, 308)");
    }
  }
}
