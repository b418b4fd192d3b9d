package dev.meshproof.runtime.config;

/** A Kubernetes v1 Namespace. Resources in a namespace other than {@code default} need one. */
public record KubernetesNamespace(ResourceMeta meta) implements IstioResource {
  @Override
  public KubernetesNamespace withMeta(ResourceMeta newMeta) {
    return new KubernetesNamespace(newMeta);
  }
}
