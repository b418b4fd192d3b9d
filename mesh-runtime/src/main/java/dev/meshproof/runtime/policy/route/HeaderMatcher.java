package dev.meshproof.runtime.policy.route;

import java.util.Optional;

/**
 * Envoy's {@code route.v3.HeaderMatcher}: a header (or pseudo-header) whose value must match, or
 * must merely be present; {@code invert} negates the outcome.
 */
public record HeaderMatcher(String name, Optional<StringMatcher> value, boolean invert) {

  public boolean matches(RequestHeaders request) {
    Optional<String> actual = request.first(name);
    boolean matched = actual.isPresent() && value.map(m -> m.matches(actual.get())).orElse(true);
    return matched != invert;
  }
}
