package dev.meshproof.k8s.k3s;

import dev.meshproof.k8s.target.KubernetesTarget;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.targets.TargetRun;
import java.util.Optional;

/**
 * The kubernetes target on a {@link K3sThrowawayCluster}: the cluster starts with the first
 * scenario and serves every later one; {@link #close()} (or the JVM's shutdown) removes it. Where
 * Docker, istioctl or the image tarballs are missing it is unavailable with the reason, so the
 * scenarios are skipped as on the envoy target without Envoy.
 */
public final class K3sKubernetesTarget implements Target, AutoCloseable {
  private final K3sThrowawayCluster.Settings settings;
  private K3sThrowawayCluster cluster;
  private Thread shutdownHook;

  public K3sKubernetesTarget(K3sThrowawayCluster.Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return KubernetesTarget.NAME;
  }

  @Override
  public Optional<String> unavailableReason() {
    return K3sThrowawayCluster.unavailableReason(settings);
  }

  @Override
  public TargetRun run(Scenario scenario) {
    return KubernetesTarget.on(cluster().targetOptions()).run(scenario);
  }

  private synchronized K3sThrowawayCluster cluster() {
    if (cluster == null) {
      cluster = K3sThrowawayCluster.start(settings);
      shutdownHook = new Thread(cluster::close, "meshproof-k3s-cleanup");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return cluster;
  }

  @Override
  public synchronized void close() {
    if (cluster != null) {
      cluster.close();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook closes it (again, harmlessly).
      }
      cluster = null;
    }
  }
}
