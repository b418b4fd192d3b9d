package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Optional;

/**
 * Envoy's {@code route.v3.RouteMatch}: a path matcher plus header and query parameter matchers, all
 * of which must match. An empty path matcher matches every path.
 */
public record RouteMatch(
    Optional<StringMatcher> path,
    List<HeaderMatcher> headers,
    List<QueryParameterMatcher> queryParameters) {

  public RouteMatch {
    headers = List.copyOf(headers);
    queryParameters = List.copyOf(queryParameters);
  }

  public RouteMatch(Optional<StringMatcher> path, List<HeaderMatcher> headers) {
    this(path, headers, List.of());
  }

  /** Matches every request, like Envoy's {@code prefix: "/"}. */
  public static RouteMatch any() {
    return new RouteMatch(Optional.empty(), List.of());
  }

  public boolean matches(RequestHeaders request) {
    if (path.isPresent() && !path.get().matches(request.pathWithoutQuery())) {
      return false;
    }
    for (HeaderMatcher header : headers) {
      if (!header.matches(request)) {
        return false;
      }
    }
    for (QueryParameterMatcher query : queryParameters) {
      if (!query.matches(request.path())) {
        return false;
      }
    }
    return true;
  }
}
