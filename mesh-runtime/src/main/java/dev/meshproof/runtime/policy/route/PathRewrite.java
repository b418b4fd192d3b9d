package dev.meshproof.runtime.policy.route;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Envoy's {@code prefix_rewrite} or {@code regex_rewrite} (Istio's {@code rewrite.uri} and {@code
 * rewrite.uriRegexRewrite}): the path the router forwards instead of the request's. The query
 * string is kept.
 *
 * @param prefix replaces the part of the path the route matched: its prefix for a prefix match, the
 *     whole path for an exact or regex match ({@code RouteEntryImplBase::rewritePathByPrefix
 *     OrRegex})
 * @param regex every match of the pattern in the path (without query) replaced by {@code
 *     substitution}, where {@code \N} is group N (RE2's {@code GlobalReplace})
 */
public record PathRewrite(Optional<String> prefix, Optional<Pattern> regex, String substitution) {
  public PathRewrite {
    if (prefix.isPresent() == regex.isPresent()) {
      throw new IllegalArgumentException(
          "rewrite: prefix " + prefix + ", regex " + regex + " (expected: exactly one)");
    }
  }

  public static PathRewrite prefix(String prefix) {
    return new PathRewrite(Optional.of(prefix), Optional.empty(), "");
  }

  public static PathRewrite regex(Pattern pattern, String substitution) {
    return new PathRewrite(Optional.empty(), Optional.of(pattern), substitution);
  }

  /**
   * The rewritten path with query. {@code matched} is the route's path matcher (empty for Envoy's
   * {@code prefix: "/"}).
   */
  public String rewrite(String pathWithQuery, Optional<StringMatcher> matched) {
    int q = pathWithQuery.indexOf('?');
    String path = q < 0 ? pathWithQuery : pathWithQuery.substring(0, q);
    String query = q < 0 ? "" : pathWithQuery.substring(q);
    if (prefix.isPresent()) {
      int length = matched.map(m -> matchedLength(m, path)).orElse(1);
      return prefix.get() + pathWithQuery.substring(Math.min(length, pathWithQuery.length()));
    }
    Matcher m = regex.get().matcher(path);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(path, last, m.start());
      appendSubstitution(out, m);
      last = m.end();
    }
    out.append(path, last, path.length());
    return out + query;
  }

  private static int matchedLength(StringMatcher matcher, String path) {
    if (matcher instanceof StringMatcher.Prefix p) {
      return p.prefix().length();
    }
    if (matcher instanceof StringMatcher.Exact e) {
      return e.expected().length();
    }
    return path.length();
  }

  /** RE2's rewrite string: {@code \0}..{@code \9} are groups, {@code \\} a backslash. */
  private void appendSubstitution(StringBuilder out, Matcher m) {
    for (int i = 0; i < substitution.length(); i++) {
      char c = substitution.charAt(i);
      if (c == '\\' && i + 1 < substitution.length()) {
        char next = substitution.charAt(i + 1);
        if (Character.isDigit(next)) {
          String group = m.group(next - '0');
          out.append(group == null ? "" : group);
          i++;
          continue;
        }
        if (next == '\\') {
          out.append('\\');
          i++;
          continue;
        }
      }
      out.append(c);
    }
  }
}
