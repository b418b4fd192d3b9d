package dev.meshproof.runtime.proxy;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Rejects regexes Envoy would reject. Envoy compiles {@code safe_regex} with RE2, which has no
 * look-around, back-references, possessive quantifiers or atomic groups; java.util.regex accepts
 * them, so without this check the embedded sidecar would ACK a route Envoy NACKs.
 */
final class Re2Syntax {
  private static final Pattern UNSUPPORTED =
      Pattern.compile("\\(\\?<?[=!]|\\(\\?>|\\\\[1-9]|\\\\k<|[*+?}]\\+");

  private Re2Syntax() {}

  /** Compiles {@code regex}, or returns why RE2 would not accept it. */
  static Pattern compile(String regex, boolean caseSensitive) {
    var unsupported = UNSUPPORTED.matcher(regex);
    if (unsupported.find()) {
      throw new IllegalArgumentException(
          "invalid RE2 regex '"
              + regex
              + "': '"
              + unsupported.group()
              + "' (look-around, back-reference, atomic group or possessive quantifier) is not RE2 syntax");
    }
    try {
      return Pattern.compile(regex, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex '" + regex + "': " + e.getDescription());
    }
  }

  static Optional<String> problem(String regex) {
    try {
      compile(regex, true);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }
}
