package dev.meshproof.conformance;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.util.List;

/** The targets the catalogue runs on: the embedded mesh everywhere, Envoy where it is installed. */
public final class ConformanceTargets {
  private ConformanceTargets() {}

  public static List<Target> all() {
    return List.of(Targets.embedded(), Targets.envoy());
  }
}
