package dev.meshproof.runtime.config;

/**
 * A resource of a manifest as the user wrote it, parsed and validated: an Istio networking or
 * security resource, a Kubernetes topology resource (Service, Deployment, ServiceAccount,
 * Namespace), or a resource of a kind accepted but not simulated.
 */
public sealed interface IstioResource
    permits VirtualService,
        DestinationRule,
        ServiceEntry,
        WorkloadEntry,
        Gateway,
        Sidecar,
        PeerAuthentication,
        AuthorizationPolicy,
        RequestAuthentication,
        KubernetesService,
        KubernetesDeployment,
        KubernetesServiceAccount,
        KubernetesNamespace,
        KubernetesSecret,
        NotSimulatedResource {
  ResourceMeta meta();

  /** This resource with {@code meta} instead (the config store records the apply order there). */
  IstioResource withMeta(ResourceMeta meta);
}
