package dev.meshproof.conformance;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.util.List;

/**
 * The targets the catalogue runs on: the embedded mesh everywhere, Envoy where it is installed, and
 * the targets the user opted in to (kubernetes with {@code -Dmeshproof.kubernetes.kubeconfig}).
 */
public final class ConformanceTargets {
  private ConformanceTargets() {}

  public static List<Target> all() {
    return Targets.all();
  }
}
