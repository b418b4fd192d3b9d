package dev.meshproof.runtime.config;

/** Istio's {@code StringMatch}: exactly one of {@code exact}, {@code prefix}, {@code regex}. */
public record StringMatch(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }
}
