package dev.meshproof.runtime.policy.authn;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which mutual TLS mode applies to a workload's port, by Istio's PeerAuthentication precedence (<a
 * href="https://istio.io/latest/docs/concepts/security/#peer-authentication">Peer
 * authentication</a>; istiod's {@code ComposePeerAuthentication}): the oldest mesh-wide policy
 * (root namespace, no selector), overridden by the oldest namespace policy, overridden by the
 * oldest policy whose selector matches the workload, overridden by that policy's port-level mode;
 * {@code UNSET} at any level inherits the level above, and nothing at all is {@code PERMISSIVE}.
 */
public final class PeerAuthenticationPolicy {
  /** Istio's default root namespace (MeshConfig {@code rootNamespace}). */
  public static final String ROOT_NAMESPACE = "istio-system";

  private PeerAuthenticationPolicy() {}

  /**
   * The effective mode (never {@code UNSET}) on {@code port} of a workload in {@code namespace}
   * with {@code labels}.
   *
   * @param policies every PeerAuthentication, oldest first
   */
  public static PeerAuthenticationMode modeFor(
      List<PeerAuthenticationScope> policies,
      String namespace,
      Map<String, String> labels,
      int port) {
    PeerAuthenticationMode mode = PeerAuthenticationMode.PERMISSIVE;
    mode = inherit(mode, first(policies, ROOT_NAMESPACE, Optional.empty()).map(p -> p.mode()));
    if (!namespace.equals(ROOT_NAMESPACE)) {
      mode = inherit(mode, first(policies, namespace, Optional.empty()).map(p -> p.mode()));
    }
    Optional<PeerAuthenticationScope> workload = first(policies, namespace, Optional.of(labels));
    if (workload.isPresent()) {
      mode = inherit(mode, Optional.of(workload.get().mode()));
      mode = inherit(mode, Optional.ofNullable(workload.get().portModes().get(port)));
    }
    return mode;
  }

  /**
   * The mode istiod infers for a service's callers when choosing auto mTLS ({@code
   * BestEffortInferServiceMTLSMode}): namespace then mesh-wide policies only, since which workloads
   * a caller reaches is not known; workload and port-level policies are not consulted.
   */
  public static PeerAuthenticationMode serviceModeFor(
      List<PeerAuthenticationScope> policies, String namespace) {
    PeerAuthenticationMode mode = PeerAuthenticationMode.PERMISSIVE;
    mode = inherit(mode, first(policies, ROOT_NAMESPACE, Optional.empty()).map(p -> p.mode()));
    if (!namespace.equals(ROOT_NAMESPACE)) {
      mode = inherit(mode, first(policies, namespace, Optional.empty()).map(p -> p.mode()));
    }
    return mode;
  }

  private static PeerAuthenticationMode inherit(
      PeerAuthenticationMode parent, Optional<PeerAuthenticationMode> child) {
    return child.filter(m -> m != PeerAuthenticationMode.UNSET).orElse(parent);
  }

  /**
   * The oldest policy of {@code namespace}: without a selector when {@code labels} is empty, else
   * the oldest whose selector matches them.
   */
  private static Optional<PeerAuthenticationScope> first(
      List<PeerAuthenticationScope> policies,
      String namespace,
      Optional<Map<String, String>> labels) {
    for (PeerAuthenticationScope policy : policies) {
      if (!policy.namespace().equals(namespace)) {
        continue;
      }
      if (labels.isEmpty() && policy.selector().isEmpty()) {
        return Optional.of(policy);
      }
      if (labels.isPresent()
          && policy.selector().isPresent()
          && policy.selector().get().entrySet().stream()
              .allMatch(e -> e.getValue().equals(labels.get().get(e.getKey())))) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }
}
