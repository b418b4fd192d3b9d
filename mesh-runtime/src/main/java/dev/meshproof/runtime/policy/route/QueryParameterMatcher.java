package dev.meshproof.runtime.policy.route;

import java.util.Optional;

/**
 * Envoy's {@code QueryParameterMatcher}: the first value of query parameter {@code name}, as
 * written (Envoy 1.40 does not percent-decode it: {@code version=v%32} does not match {@code exact:
 * v2}, checked by {@code RouteActionsIT}), matched by {@code value}; with no value matcher,
 * presence alone ({@code present_match}). A parameter written without {@code =} has the empty
 * value.
 */
public record QueryParameterMatcher(String name, Optional<StringMatcher> value) {

  public boolean matches(String pathWithQuery) {
    Optional<String> first = firstValue(pathWithQuery, name);
    if (first.isEmpty()) {
      return false;
    }
    return value.map(v -> v.matches(first.get())).orElse(true);
  }

  /** The first value of {@code name} in the query of {@code pathWithQuery}. */
  public static Optional<String> firstValue(String pathWithQuery, String name) {
    int q = pathWithQuery.indexOf('?');
    if (q < 0) {
      return Optional.empty();
    }
    int hash = pathWithQuery.indexOf('#', q);
    String query = pathWithQuery.substring(q + 1, hash < 0 ? pathWithQuery.length() : hash);
    for (String pair : query.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
      }
    }
    return Optional.empty();
  }
}
