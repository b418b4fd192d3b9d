package dev.meshproof.runtime.config;

/**
 * What a sidecar does with a request for a host the service registry does not know: MeshConfig's
 * {@code outboundTrafficPolicy.mode} (and, per workload, the Sidecar resource's). Istio's default
 * is {@link #ALLOW_ANY} (istiod-defaults.md, defaults assumed). See <a
 * href="https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-OutboundTrafficPolicy-Mode">MeshConfig.OutboundTrafficPolicy.Mode</a>.
 */
public enum OutboundTrafficPolicy {
  /** Unknown hosts are refused: istiod's {@code block_all} catch-all virtual host answering 502. */
  REGISTRY_ONLY,
  /**
   * Unknown hosts are passed through to their original destination: istiod's {@code allow_any}
   * catch-all virtual host routing to the {@code PassthroughCluster}.
   */
  ALLOW_ANY
}
