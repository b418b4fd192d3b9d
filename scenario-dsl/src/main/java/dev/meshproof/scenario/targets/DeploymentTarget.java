package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.Scenario;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link Target} made of a {@link Deployer} (how this target runs a topology) and the {@link
 * ScenarioOrchestrator} (what every target does with it).
 */
public final class DeploymentTarget implements Target {
  private final String name;
  private final Deployer deployer;
  private final Supplier<Optional<String>> unavailableReason;

  public DeploymentTarget(
      String name, Deployer deployer, Supplier<Optional<String>> unavailableReason) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: blank (expected: a short name such as embedded)");
    }
    this.name = name;
    this.deployer = Objects.requireNonNull(deployer, "deployer");
    this.unavailableReason = Objects.requireNonNull(unavailableReason, "unavailableReason");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<String> unavailableReason() {
    return unavailableReason.get();
  }

  @Override
  public TargetRun run(Scenario scenario) {
    return ScenarioOrchestrator.run(scenario, deployer);
  }
}
