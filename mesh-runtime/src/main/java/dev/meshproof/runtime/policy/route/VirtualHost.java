package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Optional;

/** Envoy's virtual host: the domains it serves and its routes, matched first to last. */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }

  /** The first route whose match accepts the request, as Envoy evaluates routes in order. */
  public Optional<Route> findRoute(RequestHeaders request) {
    for (Route route : routes) {
      if (route.match().matches(request)) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }
}
