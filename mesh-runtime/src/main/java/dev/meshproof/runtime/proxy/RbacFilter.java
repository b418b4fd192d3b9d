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
  private final java.util.function.Consumer<String> counters;

  RbacFilter(RbacFilterPolicy policy) {
    this(policy, name -> {});
  }

  /**
   * @param counters increments a counter named after {@code http.<stat_prefix>.rbac.} (Envoy's
   *     {@code allowed}, {@code denied}, {@code [<shadow prefix>.]shadow_allowed} / {@code
   *     shadow_denied})
   */
  RbacFilter(RbacFilterPolicy policy, java.util.function.Consumer<String> counters) {
    this.policy = policy;
    this.counters = counters;
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
    decision.counters().forEach(counters);
    if (decision.allowed()) {
      if (decision.shadowAllowed().isPresent()) {
        // Envoy's shadow engine result as dynamic metadata, read by a CUSTOM policy's ext_authz.
        java.util.Map<String, String> metadata = new java.util.HashMap<>();
        String prefix = policy.shadowRulesStatPrefix();
        decision
            .shadowPolicy()
            .ifPresent(id -> metadata.put(prefix + "shadow_effective_policy_id", id));
        metadata.put(
            prefix + "shadow_engine_result", decision.shadowAllowed().get() ? "allowed" : "denied");
        return new FilterDecision.ContinueWith(request.withRbacMetadata(metadata));
      }
      return FilterDecision.CONTINUE;
    }
    return new FilterDecision.Respond(
        new RequestOutcome.DirectReply(
            403, new DefaultHttpHeaders(), RbacFilterPolicy.ACCESS_DENIED, "-"));
  }
}
