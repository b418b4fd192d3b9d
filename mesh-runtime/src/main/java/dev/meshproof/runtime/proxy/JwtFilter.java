package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.authn.JwtAuthnDecision;
import dev.meshproof.runtime.policy.route.RequestHeaders;
import dev.meshproof.runtime.proxy.ProxyConfig.HttpFilterConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Envoy's {@code envoy.filters.http.jwt_authn} for Istio's RequestAuthentication: the decision is
 * the pure {@link dev.meshproof.runtime.policy.authn.JwtAuthentication}'s at the sidecar's clock. A
 * refused token is answered with Envoy's local reply (401, or 403 for a disallowed audience, the
 * status text as body, {@code www-authenticate}), without a response flag; a verified token's
 * payload becomes the request's metadata for the RBAC filters, the output headers are set and the
 * token's header is removed unless forwarded. A CORS preflight passes untouched ({@code
 * bypass_cors_preflight}, which istiod sets).
 */
final class JwtFilter implements HttpFilter {
  private final HttpFilterConfig.JwtAuthn config;
  private final Clock clock;

  JwtFilter(HttpFilterConfig.JwtAuthn config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public FilterDecision onRequest(RequestContext request) {
    RequestHeaders headers = request.headers();
    if (headers.method().equals("OPTIONS")
        && headers.first("origin").isPresent()
        && headers.first("access-control-request-method").isPresent()) {
      return FilterDecision.CONTINUE;
    }
    // Envoy's realm is buildOriginalUri: x-forwarded-proto (the caller's sidecar sets it), host,
    // path; without the header, the connection's scheme.
    String scheme =
        headers
            .first("x-forwarded-proto")
            .orElse(request.connection().peerPrincipal().isPresent() ? "https" : "http");
    JwtAuthnDecision decision = config.policy().authenticate(headers, scheme, clock.instant());
    if (decision instanceof JwtAuthnDecision.Rejected rejected) {
      DefaultHttpHeaders replyHeaders = new DefaultHttpHeaders();
      replyHeaders.set("www-authenticate", rejected.wwwAuthenticate());
      return new FilterDecision.Respond(
          new RequestOutcome.DirectReply(rejected.status(), replyHeaders, rejected.body(), "-"));
    }
    JwtAuthnDecision.Passed passed = (JwtAuthnDecision.Passed) decision;
    if (passed.jwt().isEmpty()) {
      return FilterDecision.CONTINUE;
    }
    var downstream = request.downstream().headers();
    Map<String, List<String>> changed = new LinkedHashMap<>(headers.headers());
    for (String name : passed.headersToRemove()) {
      downstream.remove(name);
      changed.remove(name);
    }
    passed
        .headersToSet()
        .forEach(
            (name, value) -> {
              downstream.set(name, value);
              changed.put(name, new ArrayList<>(List.of(value)));
            });
    Map<String, Map<String, Object>> payloads = new LinkedHashMap<>(request.jwtPayloads());
    if (!config.payloadInMetadata().isEmpty()) {
      payloads.put(
          config.payloadInMetadata(), passed.jwt().get().metadataPayload(config.spaceDelimited()));
    }
    return new FilterDecision.ContinueWith(
        request.withJwt(
            new RequestHeaders(headers.method(), headers.path(), headers.authority(), changed),
            payloads));
  }
}
