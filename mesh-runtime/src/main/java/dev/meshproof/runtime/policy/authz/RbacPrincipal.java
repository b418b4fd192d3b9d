package dev.meshproof.runtime.policy.authz;

import dev.meshproof.runtime.policy.route.HeaderMatcher;
import dev.meshproof.runtime.policy.route.StringMatcher;
import java.util.List;

/**
 * Envoy's {@code config.rbac.v3.Principal}: who sends a request (the peer's authenticated
 * principal, the remote address, request headers), combined with and / or / not.
 */
public sealed interface RbacPrincipal {

  boolean matches(RbacRequest request);

  /** {@code any: true}. */
  record Any() implements RbacPrincipal {
    @Override
    public boolean matches(RbacRequest request) {
      return true;
    }
  }

  /** {@code and_ids}. */
  record And(List<RbacPrincipal> ids) implements RbacPrincipal {
    public And {
      ids = List.copyOf(ids);
    }

    @Override
    public boolean matches(RbacRequest request) {
      return ids.stream().allMatch(i -> i.matches(request));
    }
  }

  /** {@code or_ids}. */
  record Or(List<RbacPrincipal> ids) implements RbacPrincipal {
    public Or {
      ids = List.copyOf(ids);
    }

    @Override
    public boolean matches(RbacRequest request) {
      return ids.stream().anyMatch(i -> i.matches(request));
    }
  }

  /** {@code not_id}. */
  record Not(RbacPrincipal id) implements RbacPrincipal {
    @Override
    public boolean matches(RbacRequest request) {
      return !id.matches(request);
    }
  }

  /**
   * {@code authenticated.principal_name}: the peer certificate's URI SAN matches; a plaintext
   * connection has no principal and matches nothing (Envoy's {@code AuthenticatedMatcher}).
   */
  record Authenticated(StringMatcher principalName) implements RbacPrincipal {
    @Override
    public boolean matches(RbacRequest request) {
      return request.peerPrincipal().filter(principalName::matches).isPresent();
    }
  }

  /** {@code direct_remote_ip}: the downstream connection's remote address. */
  record DirectRemoteIp(CidrRange range) implements RbacPrincipal {
    @Override
    public boolean matches(RbacRequest request) {
      return range.contains(request.directRemoteAddress());
    }
  }

  /** {@code header}. */
  record Header(HeaderMatcher matcher) implements RbacPrincipal {
    @Override
    public boolean matches(RbacRequest request) {
      return matcher.matches(request.headers());
    }
  }

  /** The dynamic metadata namespace of Envoy's jwt_authn filter. */
  String JWT_AUTHN_FILTER = "envoy.filters.http.jwt_authn";

  /**
   * {@code metadata} with any value matcher istiod writes ({@link MetadataValueMatcher}): the value
   * at {@code path} in jwt_authn's metadata (the first key the {@code payload_in_metadata} name)
   * exists and matches; {@code invert} negates. Only jwt_authn's metadata exists on the embedded
   * sidecar, metadata of other filters matches nothing: it is how a request principal ({@code
   * iss/sub}) and {@code request.auth.claims} are matched on upstream Envoy, which lacks
   * istio_authn.
   */
  record MetadataValue(String filter, List<String> path, MetadataValueMatcher value, boolean invert)
      implements RbacPrincipal {
    public MetadataValue {
      path = List.copyOf(path);
    }

    @Override
    public boolean matches(RbacRequest request) {
      return invert != found(request);
    }

    private boolean found(RbacRequest request) {
      if (!filter.equals(JWT_AUTHN_FILTER) || path.isEmpty()) {
        return false;
      }
      Object node = request.jwtPayloads().get(path.get(0));
      for (String key : path.subList(1, path.size())) {
        if (!(node instanceof java.util.Map<?, ?> map)) {
          return false;
        }
        node = map.get(key);
      }
      return node != null && value.matches(node);
    }
  }
}
