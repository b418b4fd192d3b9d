package dev.meshproof.runtime.policy.route;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Envoy's string match ({@code type.matcher.v3.StringMatcher}) as used by route path and header
 * matching: exact, prefix, suffix or full-string regex, optionally case-insensitive.
 */
public sealed interface StringMatcher {

  boolean matches(String value);

  /** Matches a value equal to {@code expected}. */
  record Exact(String expected, boolean ignoreCase) implements StringMatcher {
    @Override
    public boolean matches(String value) {
      return ignoreCase ? expected.equalsIgnoreCase(value) : expected.equals(value);
    }
  }

  /** Matches a value starting with {@code prefix}. */
  record Prefix(String prefix, boolean ignoreCase) implements StringMatcher {
    @Override
    public boolean matches(String value) {
      return ignoreCase
          ? value.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))
          : value.startsWith(prefix);
    }
  }

  /** Matches a value ending with {@code suffix}. */
  record Suffix(String suffix, boolean ignoreCase) implements StringMatcher {
    @Override
    public boolean matches(String value) {
      return ignoreCase
          ? value.toLowerCase(Locale.ROOT).endsWith(suffix.toLowerCase(Locale.ROOT))
          : value.endsWith(suffix);
    }
  }

  /** Matches when the whole value matches {@code regex} (Envoy's {@code safe_regex} semantics). */
  record Regex(Pattern pattern) implements StringMatcher {
    @Override
    public boolean matches(String value) {
      return pattern.matcher(value).matches();
    }

    @Override
    public String toString() {
      return "Regex[" + pattern.pattern() + "]";
    }
  }
}
