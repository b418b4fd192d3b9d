package dev.meshproof.scenario.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One request the load generator sends: method, path with query, the Host / {@code :authority},
 * further headers exactly as written (in order) and the body. A {@code Host} among the headers wins
 * over {@code authority} and is sent exactly as written ({@code catalog:80} keeps its port).
 */
public record LoadRequest(
    String method,
    String pathAndQuery,
    String authority,
    Map<String, String> headers,
    byte[] body) {

  public LoadRequest {
    Objects.requireNonNull(method, "method");
    if (pathAndQuery == null || !pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("path: " + pathAndQuery + " (expected: starts with /)");
    }
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    Objects.requireNonNull(body, "body");
  }

  /**
   * The authority the request names: a {@code Host} header exactly as written, else {@code
   * authority}.
   */
  public String effectiveAuthority() {
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey().equalsIgnoreCase("host")) {
        return header.getValue();
      }
    }
    return authority;
  }
}
