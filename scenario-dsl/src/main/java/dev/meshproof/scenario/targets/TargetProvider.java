package dev.meshproof.scenario.targets;

import java.util.Optional;
import java.util.Properties;

/**
 * A target shipped outside this module (the {@code kubernetes} target of {@code k8s-envs}), found
 * with {@link java.util.ServiceLoader} where its module is on the class path, and run only where
 * the user opted in to it, e.g. by naming a kubeconfig. {@link Targets#optedIn()} lists them, so
 * the conformance suite and {@code --target all} run it beside embedded and envoy, and the report
 * compares it with them.
 */
public interface TargetProvider {

  /** The target {@code properties} (the system properties) opt in to, or empty. */
  Optional<Target> optedIn(Properties properties);
}
