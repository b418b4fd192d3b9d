package dev.meshproof.runtime.config;

/**
 * Istio's {@code StringMatch}: exactly one of {@code exact}, {@code prefix}, {@code regex}; or, for
 * a header ({@code headers}, {@code withoutHeaders}) written with no match type ({@code end-user:
 * {}}), {@link Kind#PRESENT}: Istio's presence check, which Envoy expresses as {@code
 * present_match: true} (see /work/notes/istiod-defaults.md section 6). A PRESENT match has an empty
 * value.
 */
public record StringMatch(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX,
    /** The header is present, whatever its value (only in header matches). */
    PRESENT
  }

  /** The presence match of a header written as {@code name: {}}. */
  public static StringMatch present() {
    return new StringMatch(Kind.PRESENT, "");
  }
}
