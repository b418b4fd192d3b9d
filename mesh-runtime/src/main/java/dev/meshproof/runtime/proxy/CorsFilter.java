package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.CorsPolicy;
import dev.meshproof.runtime.policy.route.HeaderChanges;
import dev.meshproof.runtime.policy.route.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Optional;

/**
 * Envoy's CORS filter ({@code envoy.filters.http.cors}) as an {@link HttpFilter}: for the route the
 * request matches, its {@link CorsPolicy} decides (the pure part); this adapter turns a preflight
 * into the proxy's own 200 answer and an allowed CORS request into response header changes. A
 * request without a route, or whose route has no CORS policy, passes untouched.
 */
final class CorsFilter implements HttpFilter {

  @Override
  public FilterDecision onRequest(RequestContext request) {
    // Envoy's filter reads the route the connection manager selected; the same pure match here.
    Optional<Route> route = request.routes().flatMap(table -> table.route(request.headers()));
    if (route.isEmpty() || route.get().cors().isEmpty()) {
      return FilterDecision.CONTINUE;
    }
    CorsPolicy.Decision decision = route.get().cors().get().decide(request.headers());
    if (decision instanceof CorsPolicy.Preflight preflight) {
      HttpHeaders headers = new DefaultHttpHeaders();
      new HeaderChanges(preflight.headers(), java.util.List.of()).applyTo(Router.editor(headers));
      return new FilterDecision.Respond(
          new RequestOutcome.DirectReply(200, headers, "", route.get().name()));
    }
    HeaderChanges onResponse = ((CorsPolicy.Continue) decision).onResponse();
    return onResponse.isEmpty()
        ? FilterDecision.CONTINUE
        : new FilterDecision.ContinueWithResponseChanges(onResponse);
  }
}
