package dev.meshproof.cli;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.Targets;
import java.util.List;

/** The {@code --target} values. */
enum TargetChoice {
  embedded,
  envoy,
  all;

  List<Target> targets() {
    return Targets.named(name());
  }
}
