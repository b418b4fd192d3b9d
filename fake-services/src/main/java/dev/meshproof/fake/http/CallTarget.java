package dev.meshproof.fake.http;

/**
 * A downstream call of the call graph, e.g. {@code inventory:80/items}: the authority sent as
 * {@code Host} (which the sidecar routes on) and the path.
 *
 * @param authority {@code host:port} or {@code host}
 * @param path the request path, starting with {@code /}
 */
public record CallTarget(String authority, String path) {

  /** What {@link #parse} accepts. */
  public static final String EXPECTED = "host[:port][/path], e.g. inventory:80/items";

  /** Validates the parts. */
  public CallTarget {
    if (authority == null
        || authority.isBlank()
        || authority.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
      throw new IllegalArgumentException(
          "calls: authority \"" + authority + "\" (expected: " + EXPECTED + ")");
    }
    if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException(
          "calls: path \"" + path + "\" (expected: " + EXPECTED + ")");
    }
  }

  /** Parses {@code inventory:80/items}; a missing path is {@code /}. */
  public static CallTarget parse(String hostAndPath) {
    if (hostAndPath == null) {
      throw new IllegalArgumentException("calls: null (expected: " + EXPECTED + ")");
    }
    String s = hostAndPath.trim();
    if (s.startsWith("http://")) {
      s = s.substring("http://".length());
    }
    int slash = s.indexOf('/');
    return slash < 0
        ? new CallTarget(s, "/")
        : new CallTarget(s.substring(0, slash), s.substring(slash));
  }

  @Override
  public String toString() {
    return authority + path;
  }
}
