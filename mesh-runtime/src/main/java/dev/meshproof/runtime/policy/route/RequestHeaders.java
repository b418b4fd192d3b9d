package dev.meshproof.runtime.policy.route;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of a downstream request that route matching reads: method, path (with query), authority
 * and headers. Header names are lower-case, as in HTTP/2 and Envoy's header map.
 */
public record RequestHeaders(
    String method, String path, String authority, Map<String, List<String>> headers) {

  public RequestHeaders {
    TreeMap<String, List<String>> copy = new TreeMap<>();
    headers.forEach((name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(copy);
  }

  /** The first value of {@code name}, which may be a pseudo-header such as {@code :method}. */
  public Optional<String> first(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    switch (lower) {
      case ":method":
        return Optional.of(method);
      case ":path":
        return Optional.of(path);
      case ":authority":
        return Optional.of(authority);
      case ":scheme":
        // The sidecars' downstream is plaintext: Envoy's :scheme is http.
        return Optional.of("http");
      default:
        List<String> values = headers.get(lower);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  /**
   * All values of {@code name} joined with {@code ","}, as Envoy's header matchers see a header
   * sent more than once; empty when the header is absent.
   */
  public Optional<String> joined(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.startsWith(":")) {
      return first(lower);
    }
    List<String> values = headers.get(lower);
    return values == null || values.isEmpty()
        ? Optional.empty()
        : Optional.of(String.join(",", values));
  }

  /** The path without its query string, which is what Envoy's path matchers compare. */
  public String pathWithoutQuery() {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
