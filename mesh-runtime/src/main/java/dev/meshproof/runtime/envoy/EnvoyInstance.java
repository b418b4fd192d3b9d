package dev.meshproof.runtime.envoy;

import java.util.Optional;

/**
 * One running Envoy, however it was started: its own child process ({@link EnvoyBinary}) or a
 * container ({@link EnvoyContainer}). {@link EnvoySidecar} only needs to know whether it still
 * runs, why it stopped, and how to stop it.
 */
interface EnvoyInstance {
  /** Empty while Envoy runs; once it has stopped, how (e.g. its exit code). */
  Optional<String> exit();

  /** Stops Envoy and releases what was started for it; idempotent. */
  void stop();

  /** An Envoy child process of this JVM. */
  static EnvoyInstance of(Process process) {
    return new EnvoyInstance() {
      @Override
      public Optional<String> exit() {
        return process.isAlive()
            ? Optional.empty()
            : Optional.of("Envoy exited with code " + process.exitValue());
      }

      @Override
      public void stop() {
        process.destroy();
        try {
          if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    };
  }
}
