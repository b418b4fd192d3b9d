package dev.meshproof.cli;

import dev.meshproof.runtime.IstioVersion;
import java.io.PrintWriter;
import java.util.Optional;

/** Checks of flag values, reported as bad input with what is allowed. */
final class Options {
  private Options() {}

  /** {@code --istio VERSION} as a release a profile covers, or empty after saying why. */
  static Optional<IstioVersion> istioVersion(String text, PrintWriter err) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      IstioVersion version = IstioVersion.of(text);
      version.profile();
      return Optional.of(version);
    } catch (IllegalArgumentException e) {
      err.println("--istio " + text + ": " + e.getMessage());
      return Optional.empty();
    }
  }
}
