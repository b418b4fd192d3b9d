package dev.meshproof.runtime.config;

/**
 * Istio's {@code StringMatch}: exactly one of {@code exact}, {@code prefix}, {@code regex}; or, for
 * a header, no match type at all ({@code end-user: {}}), which tests only that the header is
 * present ({@link Kind#PRESENT}, value empty).
 */
public record StringMatch(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX,
    /** A header given as {@code {}}: present with any value. */
    PRESENT
  }

  /** A header presence match, {@code name: {}}. */
  public static StringMatch present() {
    return new StringMatch(Kind.PRESENT, "");
  }
}
