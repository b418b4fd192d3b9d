package dev.meshproof.runtime.config;

/**
 * A Kubernetes v1 ServiceAccount: the identity a Deployment's pods run as ({@code
 * spiffe://cluster.local/ns/<ns>/sa/<name>} once mutual TLS is simulated).
 */
public record KubernetesServiceAccount(ResourceMeta meta) implements IstioResource {
  @Override
  public KubernetesServiceAccount withMeta(ResourceMeta newMeta) {
    return new KubernetesServiceAccount(newMeta);
  }
}
