package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.VirtualService.RouteDestination;
import dev.meshproof.runtime.policy.lb.HashPolicy;
import dev.meshproof.runtime.registry.Hostnames;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.Optional;

/**
 * The consistent-hash policies of route actions: a route destination's hash key as the
 * DestinationRules pick it ({@link TranslationInput#hashPolicyFor}), and its Envoy {@code
 * hash_policy}, as istiod's {@code ConsistentHashToHashPolicy} (route/route.go).
 */
final class HashPolicyBuilder {
  private final TranslationInput input;

  HashPolicyBuilder(TranslationInput input) {
    this.input = input;
  }

  private static String resolvedHost(RouteDestination destination, String namespace) {
    return Hostnames.resolve(destination.destination().host(), namespace);
  }

  /** The hash key of a route destination (its host, subset and port), as istiod picks it. */
  Optional<HashPolicy> hashPolicy(RouteDestination destination, String namespace) {
    return input.hashPolicyFor(
        resolvedHost(destination, namespace),
        destination.destination().subset(),
        destination.destination().port());
  }

  /**
   * Appends {@code hashPolicy} to {@code action}: istiod's {@code ConsistentHashToHashPolicy}
   * (route/route.go): a header, a cookie (name, ttl, path), the connection's source IP, or a query
   * parameter.
   */
  RouteAction.Builder withHash(RouteAction.Builder action, Optional<HashPolicy> hashPolicy) {
    hashPolicy.ifPresent(
        hash -> {
          RouteAction.HashPolicy.Builder out = RouteAction.HashPolicy.newBuilder();
          if (hash instanceof HashPolicy.Header h) {
            out.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(h.name()));
          } else if (hash instanceof HashPolicy.Cookie c) {
            RouteAction.HashPolicy.Cookie.Builder cookie =
                RouteAction.HashPolicy.Cookie.newBuilder().setName(c.name()).setPath(c.path());
            c.ttl().ifPresent(t -> cookie.setTtl(XdsProtos.duration(t)));
            out.setCookie(cookie);
          } else if (hash instanceof HashPolicy.SourceIp) {
            out.setConnectionProperties(
                RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
          } else if (hash instanceof HashPolicy.QueryParameter q) {
            out.setQueryParameter(
                RouteAction.HashPolicy.QueryParameter.newBuilder().setName(q.name()));
          }
          action.addHashPolicy(out);
        });
    return action;
  }
}
