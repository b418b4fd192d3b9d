package dev.meshproof.chaos;

/**
 * An applied {@link Fault}: reverting it restores what the injection changed (the previous
 * behaviour, toxics or mesh configuration, or the stopped instances).
 */
@FunctionalInterface
public interface Injection {

  /**
   * Undoes the injection.
   *
   * @throws RuntimeException when the target cannot be restored (the run records it as {@link
   *     ChaosEvent.Kind#FAILED})
   */
  void revert();
}
