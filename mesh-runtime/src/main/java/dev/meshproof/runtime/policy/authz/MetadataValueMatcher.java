package dev.meshproof.runtime.policy.authz;

import dev.meshproof.runtime.policy.route.StringMatcher;
import java.util.List;

/**
 * Envoy's {@code type.matcher.v3.ValueMatcher} over a dynamic metadata value, the JSON value nimbus
 * parsed (String, Number, Boolean, List, Map): the forms istiod writes for JWT claims ({@code
 * matcher/metadata.go MetadataListValueMatcher}): presence, a string, a list with one matching
 * element, and an OR of those.
 */
public sealed interface MetadataValueMatcher {

  /** Whether {@code value} (never null: a missing value matches nothing) matches. */
  boolean matches(Object value);

  /** {@code present_match: true}. */
  record Present() implements MetadataValueMatcher {
    @Override
    public boolean matches(Object value) {
      return true;
    }
  }

  /** {@code string_match}: only a string value can match. */
  record Str(StringMatcher matcher) implements MetadataValueMatcher {
    @Override
    public boolean matches(Object value) {
      return value instanceof String text && matcher.matches(text);
    }
  }

  /** {@code list_match.one_of}: a list with an element matching. */
  record ListOneOf(MetadataValueMatcher oneOf) implements MetadataValueMatcher {
    @Override
    public boolean matches(Object value) {
      return value instanceof List<?> list
          && list.stream().anyMatch(e -> e != null && oneOf.matches(e));
    }
  }

  /** {@code or_match}. */
  record Or(List<MetadataValueMatcher> matchers) implements MetadataValueMatcher {
    public Or {
      matchers = List.copyOf(matchers);
    }

    @Override
    public boolean matches(Object value) {
      return matchers.stream().anyMatch(m -> m.matches(value));
    }
  }
}
