package dev.meshproof.runtime.config;

/**
 * One problem in user-written configuration, located the way a person fixes it: the file, the
 * 1-based line and column, the field path ({@code spec.http[0].route[1].weight}) and what is wrong,
 * including what would be allowed.
 */
public record ConfigProblem(String source, int line, int column, String field, String message) {

  @Override
  public String toString() {
    return source
        + ":"
        + line
        + ":"
        + column
        + ": "
        + (field.isEmpty() ? "" : field + ": ")
        + message;
  }
}
