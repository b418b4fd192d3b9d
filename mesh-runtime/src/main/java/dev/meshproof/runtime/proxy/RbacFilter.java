package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authz.RbacFilterPolicy;
import dev.meshproof.runtime.policy.authz.RbacRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;

/**
 * Envoy's HTTP RBAC filter: the decision is the pure {@link RbacFilterPolicy}'s, over the request's
 * headers and its connection (peer principal, remote address, local port); a refused request is
 * answered 403 {@code RBAC: access denied} without a response flag, as Envoy's filter does ({@code
 * source/extensions/filters/http/rbac/rbac_filter.cc}).
 */
final class RbacFilter implements HttpFilter {
  private final RbacFilterPolicy policy;

  RbacFilter(RbacFilterPolicy policy) {
    this.policy = policy;
  }

  @Override
  public FilterDecision onRequest(RequestContext request) {
    RequestContext.DownstreamConnection connection = request.connection();
    RbacFilterPolicy.Decision decision =
        policy.decide(
            new RbacRequest(
                connection.peerPrincipal(),
                connection.remoteAddress(),
                connection.localPort(),
                request.headers(),
                request.jwtPayloads()));
    if (decision.allowed()) {
      return FilterDecision.CONTINUE;
    }
    return new FilterDecision.Respond(
        new RequestOutcome.DirectReply(
            403, new DefaultHttpHeaders(), RbacFilterPolicy.ACCESS_DENIED, "-"));
  }
}
