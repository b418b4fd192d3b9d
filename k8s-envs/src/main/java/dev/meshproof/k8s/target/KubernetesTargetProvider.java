package dev.meshproof.k8s.target;

import dev.meshproof.k8s.k3s.K3sKubernetesTarget;
import dev.meshproof.k8s.k3s.K3sThrowawayCluster;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetProvider;
import java.util.Optional;
import java.util.Properties;

/**
 * The kubernetes target where {@code meshproof.kubernetes.kubeconfig} names a cluster (with {@code
 * meshproof.kubernetes.context} and {@code meshproof.kubernetes.rolloutTimeout}), or on a throwaway
 * k3s cluster where {@code meshproof.kubernetes.k3s=true} (Docker needed): the conformance suite
 * and {@code --target all} then run every scenario on it too.
 */
public final class KubernetesTargetProvider implements TargetProvider {

  @Override
  public Optional<Target> optedIn(Properties properties) {
    Optional<Target> named =
        KubernetesTargetOptions.fromProperties(properties).map(KubernetesTarget::on);
    if (named.isPresent()
        || !Boolean.parseBoolean(
            properties.getProperty(K3sThrowawayCluster.Settings.ENABLED_PROPERTY))) {
      return named;
    }
    return Optional.of(
        new K3sKubernetesTarget(K3sThrowawayCluster.Settings.fromSystemProperties()));
  }
}
