package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Optional;

/**
 * Envoy's virtual host: the domains it serves and its routes, matched first to last; {@code
 * requireTls} is Envoy's {@code require_tls: ALL} (a request not forwarded as https gets a 301 to
 * its https URL before any route is matched).
 */
public record VirtualHost(
    String name, List<String> domains, List<Route> routes, boolean requireTls) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }

  /** A virtual host without a TLS requirement. */
  public VirtualHost(String name, List<String> domains, List<Route> routes) {
    this(name, domains, routes, false);
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
