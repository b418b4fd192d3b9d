package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.Seeds;

/** Starts a scenario's topology on one kind of target: the per-target half of a {@link Target}. */
@FunctionalInterface
public interface Deployer {

  /**
   * Deploys every service instance and client workload of {@code scenario}, seeded from {@code
   * seeds}, and returns once they run; no Istio configuration is applied yet. On failure nothing
   * started is left running.
   */
  Deployment deploy(Scenario scenario, Seeds seeds);
}
