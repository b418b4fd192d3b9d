package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.MeshConfigHandle;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.chaos.network.ToxicProxy;
import java.util.List;

/**
 * What a scenario's chaos may act on once its topology runs, as a deployment hands it out: the
 * chaos module's own handles, so the faults that act on them know nothing of how a target runs its
 * instances.
 */
public interface ChaosHandles {

  /** The running instances of {@code service}, in deployment order; empty if there are none. */
  List<ServiceTarget> instances(String service);

  /** The running instances of {@code service} at {@code version}; empty if there are none. */
  List<ServiceTarget> instances(String service, String version);

  /** Applies Istio YAML to the running mesh and waits until every proxy ACKed it. */
  MeshConfigHandle meshConfig();

  /**
   * The control plane as an instance chaos can stop and start (an istiod outage): proxies keep
   * their last configuration meanwhile and resync when it returns.
   */
  InstanceHandle controlPlane();

  /**
   * The application process of one service instance (pod), e.g. {@code catalog-v2-0}, as chaos
   * stops it abruptly (its sidecar's connections to it are refused) and starts it again on the same
   * address. A deployment that cannot do so throws, and the fault fails the run.
   */
  default InstanceHandle instance(String instance) {
    throw new UnsupportedOperationException(
        "instance " + instance + ": this deployment cannot stop and restart instances");
  }

  /**
   * The toxic proxies the deployment placed on {@code link} (one per callee instance). A deployment
   * that placed none throws, and the fault fails the run.
   */
  default List<ToxicProxy> link(Link link) {
    throw new UnsupportedOperationException(
        "link " + link + ": this deployment places no toxic proxies on links");
  }

  /**
   * One instance as a graceful stop acts on it: stop = not ready, in-flight requests completed, the
   * application closed; start = started again on its address and ready.
   */
  default InstanceHandle drain(String instance) {
    throw new UnsupportedOperationException(
        "instance " + instance + ": this deployment cannot drain instances");
  }

  /**
   * A version of a service as a scale change acts on it: stop = scaled to {@code replicas}, start =
   * back to the replicas the topology declared.
   */
  default InstanceHandle scale(String service, String version, int replicas) {
    throw new UnsupportedOperationException(
        service + " " + version + ": this deployment cannot scale");
  }

  /**
   * One instance's readiness as chaos flips it: stop = not ready (its probe answers 503, it is left
   * out of every caller's EDS, and with {@code status} it answers that to every request), once
   * every proxy ACKed; start = ready again and pushed back. A deployment that cannot throws, and
   * the fault fails the run.
   */
  default InstanceHandle readiness(
      String instance, java.util.Optional<dev.meshproof.fake.behavior.StatusMix> status) {
    throw new UnsupportedOperationException(
        "instance " + instance + ": this deployment cannot turn instances not ready");
  }
}
