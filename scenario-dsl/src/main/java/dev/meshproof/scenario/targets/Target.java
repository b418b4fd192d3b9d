package dev.meshproof.scenario.targets;

import dev.meshproof.scenario.Scenario;
import java.util.Optional;

/**
 * Where a scenario runs: the embedded mesh, a mesh whose sidecars are real Envoy processes, later a
 * simulated mesh or a Kubernetes cluster. One scenario, many targets; differences are findings.
 */
public interface Target {

  /** A short name for reports, e.g. {@code embedded}. */
  String name();

  /** Why this target cannot run here, with how to enable it; empty when it can. */
  Optional<String> unavailableReason();

  /**
   * Deploys the scenario's topology and configuration, sends its traffic and tears everything down
   * again, also on failure.
   *
   * @throws ScenarioAbortedException when the scenario cannot reach its traffic (invalid Istio
   *     YAML, a configuration the proxies NACK), with a message for the user, not a stack trace
   */
  TargetRun run(Scenario scenario);
}
