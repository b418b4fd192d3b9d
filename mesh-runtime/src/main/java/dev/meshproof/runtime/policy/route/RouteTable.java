package dev.meshproof.runtime.policy.route;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded {@code RouteConfiguration}: virtual hosts selected by the request authority with
 * Envoy's domain precedence (exact, then longest suffix wildcard {@code *.foo}, then longest prefix
 * wildcard {@code foo.*}, then {@code *}). With {@code ignore_port_in_host_matching} (which istiod
 * sets on every sidecar route configuration) the port is stripped from the authority first, as
 * Envoy's {@code RouteMatcher::findVirtualHost} does.
 */
public final class RouteTable {
  private final String name;
  private final List<VirtualHost> virtualHosts;
  private final boolean ignorePortInHostMatching;
  private final Map<String, VirtualHost> exact = new HashMap<>();

  public RouteTable(String name, List<VirtualHost> virtualHosts) {
    this(name, virtualHosts, false);
  }

  public RouteTable(String name, List<VirtualHost> virtualHosts, boolean ignorePortInHostMatching) {
    this.name = name;
    this.ignorePortInHostMatching = ignorePortInHostMatching;
    this.virtualHosts = List.copyOf(virtualHosts);
    for (VirtualHost host : this.virtualHosts) {
      for (String domain : host.domains()) {
        if (!domain.contains("*")) {
          VirtualHost previous = exact.put(domain.toLowerCase(Locale.ROOT), host);
          if (previous != null) {
            // Envoy rejects the whole RouteConfiguration for this; so does the decoder.
            throw new IllegalArgumentException(
                "route config "
                    + name
                    + ": domain '"
                    + domain
                    + "' is in virtual hosts '"
                    + previous.name()
                    + "' and '"
                    + host.name()
                    + "' (expected: unique domains)");
          }
        }
      }
    }
  }

  public String name() {
    return name;
  }

  public List<VirtualHost> virtualHosts() {
    return virtualHosts;
  }

  public boolean ignorePortInHostMatching() {
    return ignorePortInHostMatching;
  }

  /**
   * The authority without its {@code :port}, as Envoy strips it (an IPv6 literal keeps its
   * brackets, and a colon inside them is not a port separator).
   */
  static String withoutPort(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0
        || colon == authority.length() - 1
        || (authority.startsWith("[") && authority.charAt(colon - 1) != ']')) {
      return authority;
    }
    for (int i = colon + 1; i < authority.length(); i++) {
      if (!Character.isDigit(authority.charAt(i))) {
        return authority;
      }
    }
    // Envoy parses the port as a uint32; anything larger is left in place.
    if (authority.length() - colon - 1 > 10
        || Long.parseLong(authority.substring(colon + 1)) > 0xFFFF_FFFFL) {
      return authority;
    }
    return authority.substring(0, colon);
  }

  /** The virtual host that serves {@code authority}, or empty (Envoy answers 404, flag NR). */
  public Optional<VirtualHost> findVirtualHost(String authority) {
    String host =
        (ignorePortInHostMatching ? withoutPort(authority) : authority).toLowerCase(Locale.ROOT);
    VirtualHost found = exact.get(host);
    if (found != null) {
      return Optional.of(found);
    }
    VirtualHost best = null;
    int bestLength = -1;
    int bestRank = Integer.MAX_VALUE;
    for (VirtualHost candidate : virtualHosts) {
      for (String domain : candidate.domains()) {
        String d = domain.toLowerCase(Locale.ROOT);
        int rank;
        boolean matches;
        if (d.equals("*")) {
          rank = 3;
          matches = true;
        } else if (d.startsWith("*")) {
          rank = 1;
          matches = host.length() > d.length() - 1 && host.endsWith(d.substring(1));
        } else if (d.endsWith("*")) {
          rank = 2;
          matches =
              host.length() > d.length() - 1 && host.startsWith(d.substring(0, d.length() - 1));
        } else {
          continue;
        }
        if (matches && (rank < bestRank || (rank == bestRank && d.length() > bestLength))) {
          best = candidate;
          bestRank = rank;
          bestLength = d.length();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * True when the virtual host for {@code authority} requires TLS ({@code require_tls: ALL}) and
   * the request's {@code x-forwarded-proto} is not {@code https}: Envoy's {@code
   * VirtualHostImpl::getRouteFromEntries} answers it with the SSL redirect before matching routes.
   */
  public boolean sslRedirect(String authority, String forwardedProto) {
    return !"https".equals(forwardedProto)
        && findVirtualHost(authority).map(VirtualHost::requireTls).orElse(false);
  }

  /** Selects virtual host and route for a request; empty when nothing matches (NR). */
  public Optional<Route> route(RequestHeaders request) {
    return findVirtualHost(request.authority()).flatMap(vh -> vh.findRoute(request));
  }
}
