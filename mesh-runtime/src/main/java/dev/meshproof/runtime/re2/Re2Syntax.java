package dev.meshproof.runtime.re2;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Rejects regexes Envoy would reject. Envoy compiles {@code safe_regex} with RE2, which has no
 * look-around, back-references, possessive quantifiers or atomic groups; java.util.regex accepts
 * them, so without this check the embedded sidecar would ACK a route Envoy NACKs.
 */
public final class Re2Syntax {
  private static final Pattern PERL_GROUP = Pattern.compile("\\(\\?<?[=!>]");
  private static final Pattern BACKREFERENCE = Pattern.compile("\\\\[1-9]|\\\\k<");
  private static final Pattern POSSESSIVE = Pattern.compile("[*+?}]\\+");

  private Re2Syntax() {}

  /**
   * Compiles {@code regex}, or throws with RE2's own wording for what it rejects (so the embedded
   * sidecar's NACK reads like Envoy's, e.g. {@code invalid perl operator: (?=}).
   */
  public static Pattern compile(String regex, boolean caseSensitive) {
    Matcher perl = PERL_GROUP.matcher(regex);
    if (perl.find()) {
      throw invalid(regex, "invalid perl operator: " + perl.group());
    }
    Matcher backreference = BACKREFERENCE.matcher(regex);
    if (backreference.find()) {
      throw invalid(regex, "invalid escape sequence: " + backreference.group());
    }
    Matcher possessive = POSSESSIVE.matcher(regex);
    if (possessive.find()) {
      throw invalid(regex, "bad repetition operator: " + possessive.group());
    }
    try {
      return Pattern.compile(regex, caseSensitive ? 0 : Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException e) {
      throw invalid(regex, e.getDescription());
    }
  }

  private static IllegalArgumentException invalid(String regex, String reason) {
    return new IllegalArgumentException("regex '" + regex + "' is not valid RE2: " + reason);
  }
}
