package dev.meshproof.runtime.policy.lb;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a route hashes a request by for a consistent-hash cluster: Envoy's {@code
 * RouteAction.HashPolicy} as istiod's {@code ConsistentHashToHashPolicy} (pilot/pkg/networking/
 * core/route/route.go) emits it from {@code loadBalancer.consistentHash}. The hash of a present
 * value is {@code xxHash64(value)}, as Envoy's {@code source/common/http/hash_policy.cc}; a request
 * without the value has no hash, and the balancer then hashes a random number (Envoy's {@code
 * ThreadAwareLoadBalancerBase}).
 */
public sealed interface HashPolicy {

  /** What of the request a hash policy may read. */
  interface Request {
    /** The first value of header {@code name}, whatever its case. */
    Optional<String> header(String name);

    /** The value of cookie {@code name} in the request's {@code cookie} header. */
    Optional<String> cookie(String name);

    /** The downstream peer's IP address as text ({@code 127.0.0.1}). */
    Optional<String> sourceIp();

    /** The first value of query parameter {@code name}. */
    Optional<String> queryParameter(String name);

    /**
     * What identifies the downstream connection: Envoy hashes its remote and local addresses into a
     * generated cookie's value, so racing requests of one connection get the same cookie.
     */
    default String connectionKey() {
      return sourceIp().orElse("");
    }

    /** Asks the proxy to send {@code setCookie} with the response (Envoy's {@code add_cookie}). */
    default void addSetCookie(String setCookie) {}
  }

  /** The hash of {@code request}, or empty when it lacks what this policy hashes. */
  OptionalLong hash(Request request);

  /**
   * {@code consistentHash.httpHeaderName}, emitted as written (istiod does not lower-case it);
   * looked up case-insensitively, as Envoy's header map.
   */
  record Header(String name) implements HashPolicy {
    @Override
    public OptionalLong hash(Request request) {
      return of(request.header(name));
    }
  }

  /**
   * {@code consistentHash.httpCookie}: a request without the cookie has no hash unless a TTL is
   * set, when the proxy makes a value up, hashes that and sets the cookie on the response.
   */
  record Cookie(String name, Optional<Duration> ttl, String path) implements HashPolicy {
    /**
     * Envoy's {@code CookieHashMethod}: the cookie's value; without one and with a TTL, a value
     * made up as Envoy's router does ({@code addDownstreamSetCookie}: the hex of the xxHash64 of
     * the connection's addresses), set on the response, and hashed itself.
     */
    @Override
    public OptionalLong hash(Request request) {
      Optional<String> value = request.cookie(name);
      if (value.isEmpty() && ttl.isPresent()) {
        String made = String.format("%016x", XxHash64.hash(request.connectionKey()));
        request.addSetCookie(setCookie(made));
        return OptionalLong.of(XxHash64.hash(made));
      }
      return of(value);
    }

    /** The {@code set-cookie} value Envoy adds to a response for a generated {@code value}. */
    public String setCookie(String value) {
      StringBuilder out = new StringBuilder(name).append("=\"").append(value).append('"');
      ttl.filter(t -> !t.isZero()).ifPresent(t -> out.append("; Max-Age=").append(t.toSeconds()));
      if (!path.isEmpty()) {
        out.append("; Path=").append(path);
      }
      return out.append("; HttpOnly").toString();
    }
  }

  /** {@code consistentHash.useSourceIp}: Envoy's connection-properties hash of the peer IP. */
  record SourceIp() implements HashPolicy {
    @Override
    public OptionalLong hash(Request request) {
      return of(request.sourceIp());
    }
  }

  /** {@code consistentHash.httpQueryParameterName}. */
  record QueryParameter(String name) implements HashPolicy {
    @Override
    public OptionalLong hash(Request request) {
      return of(request.queryParameter(name));
    }
  }

  private static OptionalLong of(Optional<String> value) {
    return value.map(v -> OptionalLong.of(XxHash64.hash(v))).orElse(OptionalLong.empty());
  }
}
