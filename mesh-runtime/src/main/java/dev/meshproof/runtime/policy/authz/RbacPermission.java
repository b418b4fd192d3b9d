package dev.meshproof.runtime.policy.authz;

import dev.meshproof.runtime.policy.route.HeaderMatcher;
import dev.meshproof.runtime.policy.route.StringMatcher;
import java.util.List;

/**
 * Envoy's {@code config.rbac.v3.Permission}: what a request does (its headers, path, destination
 * port), combined with and / or / not; the kinds istiod generates for a sidecar's HTTP RBAC filter.
 */
public sealed interface RbacPermission {

  boolean matches(RbacRequest request);

  /** {@code any: true}. */
  record Any() implements RbacPermission {
    @Override
    public boolean matches(RbacRequest request) {
      return true;
    }
  }

  /** {@code and_rules}: every rule matches. */
  record And(List<RbacPermission> rules) implements RbacPermission {
    public And {
      rules = List.copyOf(rules);
    }

    @Override
    public boolean matches(RbacRequest request) {
      return rules.stream().allMatch(r -> r.matches(request));
    }
  }

  /** {@code or_rules}: some rule matches. */
  record Or(List<RbacPermission> rules) implements RbacPermission {
    public Or {
      rules = List.copyOf(rules);
    }

    @Override
    public boolean matches(RbacRequest request) {
      return rules.stream().anyMatch(r -> r.matches(request));
    }
  }

  /** {@code not_rule}. */
  record Not(RbacPermission rule) implements RbacPermission {
    @Override
    public boolean matches(RbacRequest request) {
      return !rule.matches(request);
    }
  }

  /** {@code header}: a route header matcher on the request headers (pseudo-headers included). */
  record Header(HeaderMatcher matcher) implements RbacPermission {
    @Override
    public boolean matches(RbacRequest request) {
      return matcher.matches(request.headers());
    }
  }

  /** {@code url_path}: the path without its query. */
  record UrlPath(StringMatcher path) implements RbacPermission {
    @Override
    public boolean matches(RbacRequest request) {
      return path.matches(request.headers().pathWithoutQuery());
    }
  }

  /** {@code destination_port}. */
  record DestinationPort(int port) implements RbacPermission {
    @Override
    public boolean matches(RbacRequest request) {
      return request.destinationPort() == port;
    }
  }
}
