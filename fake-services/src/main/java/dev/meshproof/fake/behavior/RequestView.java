package dev.meshproof.fake.behavior;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the behaviour decision needs to know of a request, free of any transport type.
 *
 * @param method the HTTP method
 * @param uri the path with its query, as received
 * @param path the path without query
 * @param query decoded query parameters
 * @param headers header values keyed by lower-case name
 */
public record RequestView(
    String method,
    String uri,
    String path,
    Map<String, List<String>> query,
    Map<String, List<String>> headers) {

  /** Copies the maps. */
  public RequestView {
    query = copy(query);
    headers = copy(headers);
  }

  /** Splits {@code uri} into path and decoded query; lower-cases header names. */
  public static RequestView of(String method, String uri, Map<String, List<String>> headers) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (q >= 0) {
      for (String pair : uri.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    Map<String, List<String>> lower = new LinkedHashMap<>();
    headers.forEach(
        (k, v) ->
            lower.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
    return new RequestView(method, uri, path, query, lower);
  }

  /** The first value of header {@code lowerCaseName}, or null. */
  public String header(String lowerCaseName) {
    List<String> v = headers.get(lowerCaseName);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The first value of query parameter {@code name}, or null. */
  public String queryParam(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A malformed %-escape is kept verbatim: the echo must still answer, and a knob using it
      // will be rejected with its own message.
      return s;
    }
  }

  private static Map<String, List<String>> copy(Map<String, List<String>> m) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }
}
