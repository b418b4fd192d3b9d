package dev.meshproof.scenario.result;

import java.util.Objects;
import java.util.Optional;

/**
 * What one rollback of a chaos experiment did.
 *
 * @param description what the rollback does
 * @param failure why it failed, empty when it succeeded
 */
public record RollbackResult(String description, Optional<String> failure) {

  /** Checks non-null fields. */
  public RollbackResult {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(failure, "failure");
  }

  /** Whether it succeeded. */
  public boolean succeeded() {
    return failure.isEmpty();
  }
}
