package dev.meshproof.chaos;

/**
 * One fault a chaos experiment can cause, at one of four levels: the mesh's own fault injection
 * ({@link ProxyFault}, Istio's <a
 * href="https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection">HTTPFaultInjection</a>),
 * a misbehaving application ({@link ServiceFault}), a degraded network ({@link NetworkFault}) or a
 * stopped instance ({@link InstanceFault}).
 *
 * <p>A fault is an immutable description; {@link #inject()} applies it through the handle it was
 * built with and returns the {@link Injection} that undoes exactly that application. So one fault
 * may appear several times in a {@link ChaosTimeline}.
 */
public sealed interface Fault permits ProxyFault, ServiceFault, NetworkFault, InstanceFault {

  /**
   * What this fault does to what, for the event log, e.g. {@code "service reviews-v2-0: 30% 503"}.
   */
  String description();

  /**
   * Applies the fault now.
   *
   * @return the handle that reverts this injection
   * @throws RuntimeException when the fault cannot be applied; nothing is left half-applied where
   *     the handle allows it (targets already changed are restored)
   */
  Injection inject();
}
