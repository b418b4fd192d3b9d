package dev.meshproof.runtime.policy.route;

import dev.meshproof.runtime.policy.route.HeaderChanges.AppendAction;
import dev.meshproof.runtime.policy.route.HeaderChanges.HeaderAddition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A route's CORS policy as Envoy's CORS filter applies it ({@code
 * source/extensions/filters/http/cors/cors_filter.cc}): a request with an {@code origin} is a CORS
 * request; a preflight ({@code OPTIONS} with {@code access-control-request-method}) is answered by
 * the proxy, 200 with the allow headers (and, for an allowed origin, the exposed headers), unless
 * its origin is not allowed and unmatched preflights are forwarded; any other CORS request goes on,
 * and its response gets {@code access-control-allow-origin} (and credentials, exposed headers) when
 * the origin is allowed. See <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/cors_filter">Envoy
 * CORS filter</a>.
 *
 * @param allowOrigins an origin is allowed when any matches it, or matches {@code "*"}
 * @param allowMethods {@code access-control-allow-methods} of a preflight; {@code *} echoes the
 *     requested method; empty: not sent
 * @param allowHeaders {@code access-control-allow-headers}; {@code *} echoes the requested headers
 * @param exposeHeaders {@code access-control-expose-headers} of an allowed non-preflight response
 * @param maxAge {@code access-control-max-age} of a preflight; empty: not sent
 * @param allowCredentials whether {@code access-control-allow-credentials: true} is sent
 * @param forwardNotMatchingPreflights whether a preflight from an origin not allowed goes upstream
 */
public record CorsPolicy(
    List<StringMatcher> allowOrigins,
    String allowMethods,
    String allowHeaders,
    String exposeHeaders,
    String maxAge,
    boolean allowCredentials,
    boolean forwardNotMatchingPreflights) {

  public CorsPolicy {
    allowOrigins = List.copyOf(allowOrigins);
  }

  /** What the CORS filter does with one request. */
  public sealed interface Decision {}

  /**
   * The request goes on; {@code onResponse} is applied to whatever answers it (empty for a request
   * that is not a CORS request, or whose origin is not allowed).
   */
  public record Continue(HeaderChanges onResponse) implements Decision {}

  /** A preflight the proxy answers itself: status 200 with these headers and no body. */
  public record Preflight(List<HeaderAddition> headers) implements Decision {
    public Preflight {
      headers = List.copyOf(headers);
    }
  }

  /** The filter's decision for {@code request} ({@code CorsFilter::decodeHeaders}). */
  public Decision decide(RequestHeaders request) {
    Optional<String> origin = request.first("origin").filter(o -> !o.isEmpty());
    if (origin.isEmpty()) {
      return new Continue(HeaderChanges.NONE);
    }
    boolean allowed =
        allowOrigins.stream().anyMatch(m -> m.matches("*") || m.matches(origin.get()));
    Optional<String> requestedMethod =
        request.first("access-control-request-method").filter(m -> !m.isEmpty());
    if (!request.method().equals("OPTIONS") || requestedMethod.isEmpty()) {
      if (!allowed) {
        return new Continue(HeaderChanges.NONE);
      }
      // CorsFilter::encodeHeaders: set, so they replace what the upstream sent.
      List<HeaderAddition> response = new ArrayList<>();
      response.add(set("access-control-allow-origin", origin.get()));
      if (allowCredentials) {
        response.add(set("access-control-allow-credentials", "true"));
      }
      if (!exposeHeaders.isEmpty()) {
        response.add(set("access-control-expose-headers", exposeHeaders));
      }
      return new Continue(new HeaderChanges(response, List.of()));
    }
    if (!allowed && forwardNotMatchingPreflights) {
      return new Continue(HeaderChanges.NONE);
    }
    List<HeaderAddition> headers = new ArrayList<>();
    if (allowed) {
      headers.add(set("access-control-allow-origin", origin.get()));
    }
    if (allowCredentials) {
      headers.add(set("access-control-allow-credentials", "true"));
    }
    if (!allowMethods.isEmpty()) {
      headers.add(
          set(
              "access-control-allow-methods",
              allowMethods.equals("*") ? requestedMethod.get() : allowMethods));
    }
    if (!allowHeaders.isEmpty()) {
      String value =
          allowHeaders.equals("*")
              ? request.first("access-control-request-headers").orElse("")
              : allowHeaders;
      if (!value.isEmpty()) {
        headers.add(set("access-control-allow-headers", value));
      }
    }
    if (!maxAge.isEmpty()) {
      headers.add(set("access-control-max-age", maxAge));
    }
    // The answer passes the filter's own encodeHeaders too (seen on Envoy 1.40): an allowed origin
    // also gets the exposed headers.
    if (allowed && !exposeHeaders.isEmpty()) {
      headers.add(set("access-control-expose-headers", exposeHeaders));
    }
    return new Preflight(headers);
  }

  private static HeaderAddition set(String name, String value) {
    return new HeaderAddition(name, value, AppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }
}
