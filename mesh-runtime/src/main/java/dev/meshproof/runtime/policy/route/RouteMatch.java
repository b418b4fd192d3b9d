package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Optional;

/**
 * Envoy's {@code route.v3.RouteMatch}: a path matcher plus header matchers, all of which must
 * match. An empty path matcher matches every path.
 */
public record RouteMatch(Optional<StringMatcher> path, List<HeaderMatcher> headers) {

  public RouteMatch {
    headers = List.copyOf(headers);
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
    return true;
  }
}
