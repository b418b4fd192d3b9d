package dev.meshproof.cli;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.util.List;

/** The {@code --target} values. */
enum TargetChoice {
  embedded,
  envoy,
  all,
  /** A real cluster with real Istio: {@code --kubeconfig} and {@code --context} name it. */
  kubernetes;

  List<Target> targets() {
    return Targets.named(name());
  }
}
