package dev.meshproof.runtime.policy.route;

import java.util.Optional;

/**
 * The connection manager's {@code normalize_path} and {@code merge_slashes}: Envoy's {@code
 * PathUtil::canonicalPath} (Chromium's URL path canonicalizer) and {@code PathUtil::mergeSlashes},
 * applied to {@code :path} before routing, and the result is what goes upstream. The query is left
 * as it is.
 *
 * <p>Canonicalization, as measured on Envoy 1.40 ({@code PathNormalizationTest}): a backslash is a
 * slash; dot segments ({@code .}, {@code ..}, with {@code %2e} in either case for a dot) are
 * removed as RFC 3986 section 5.2.4 says, never above the root; a percent-escaped unreserved
 * character (letter, digit, {@code - . _ ~}) is decoded, any other escape is kept as written
 * ({@code %2F} stays: escaped slashes are KEEP_UNCHANGED); a space, {@code " < > ^ ` { | }}, DEL, a
 * control or a non-ASCII character is percent-escaped; {@code %00} makes the path invalid (Envoy
 * answers 400).
 *
 * <p>See <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto#envoy-v3-api-field-extensions-filters-network-http-connection-manager-v3-httpconnectionmanager-normalize-path">
 * normalize_path</a>.
 */
public final class PathNormalization {
  private PathNormalization() {}

  /**
   * The request target with its path normalized, or empty when the path cannot be (Envoy answers
   * such a request 400 without routing it).
   */
  public static Optional<String> normalize(String target, boolean canonicalize, boolean merge) {
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    String rest = query < 0 ? "" : target.substring(query);
    if (canonicalize) {
      Optional<String> canonical = canonicalPath(path);
      if (canonical.isEmpty()) {
        return Optional.empty();
      }
      path = canonical.get();
    }
    if (merge) {
      path = path.replaceAll("/{2,}", "/");
    }
    return Optional.of(path + rest);
  }

  /** Chromium's path canonicalization of a path without query; empty when it is invalid. */
  static Optional<String> canonicalPath(String path) {
    if (path.isEmpty() || !isSlash(path.charAt(0))) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    int n = path.length();
    while (i < n) {
      char c = path.charAt(i);
      if (isSlash(c)) {
        out.append('/');
        i++;
        int dots = dotSegment(path, i);
        while (dots != 0) {
          int length = Math.abs(dots);
          if (dots < 0) {
            // "..": drop the last segment written, never the root.
            int previous = out.lastIndexOf("/", out.length() - 2);
            if (previous >= 0) {
              out.setLength(previous + 1);
            }
          }
          i += length;
          if (i < n && isSlash(path.charAt(i))) {
            i++;
            dots = dotSegment(path, i);
          } else {
            dots = 0;
          }
        }
        continue;
      }
      if (c == '%') {
        if (i + 2 < n && hex(path.charAt(i + 1)) && hex(path.charAt(i + 2))) {
          char decoded = (char) Integer.parseInt(path.substring(i + 1, i + 3), 16);
          if (decoded == 0) {
            return Optional.empty();
          }
          if (unreserved(decoded)) {
            out.append(decoded);
          } else {
            out.append(path, i, i + 3);
          }
          i += 3;
        } else {
          out.append('%');
          i++;
        }
        continue;
      }
      if (c == 0) {
        return Optional.empty();
      }
      if (escaped(c)) {
        // The codec hands the request line over byte by byte (ISO-8859-1): one escape per byte.
        out.append('%').append(String.format("%02X", c & 0xff));
      } else {
        out.append(c);
      }
      i++;
    }
    return Optional.of(out.toString());
  }

  /**
   * The length of the dot segment starting at {@code i} (up to a slash or the end): positive for
   * {@code .}, negative for {@code ..}, 0 when the segment is not a dot segment.
   */
  private static int dotSegment(String path, int i) {
    int dots = 0;
    int j = i;
    while (j < path.length() && !isSlash(path.charAt(j))) {
      if (path.charAt(j) == '.') {
        j++;
      } else if (path.regionMatches(true, j, "%2e", 0, 3)) {
        j += 3;
      } else {
        return 0;
      }
      dots++;
      if (dots > 2) {
        return 0;
      }
    }
    return switch (dots) {
      case 1 -> j - i;
      case 2 -> -(j - i);
      default -> 0;
    };
  }

  private static boolean isSlash(char c) {
    return c == '/' || c == '\\';
  }

  private static boolean hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 128;
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static boolean escaped(char c) {
    return c <= ' ' || c >= 0x7f || "\"<>^`{|}".indexOf(c) >= 0;
  }
}
