package dev.meshproof.k8s.target;

import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetProvider;
import java.util.Optional;
import java.util.Properties;

/**
 * The kubernetes target where {@code meshproof.kubernetes.kubeconfig} names a cluster (with {@code
 * meshproof.kubernetes.context} and {@code meshproof.kubernetes.rolloutTimeout}): the conformance
 * suite and {@code --target all} then run every scenario on it too.
 */
public final class KubernetesTargetProvider implements TargetProvider {

  @Override
  public Optional<Target> optedIn(Properties properties) {
    return KubernetesTargetOptions.fromProperties(properties).map(KubernetesTarget::on);
  }
}
