package dev.meshproof.runtime.config;

/** An Istio networking or security resource as the user wrote it, parsed and validated. */
public sealed interface IstioResource permits VirtualService, DestinationRule, PeerAuthentication {
  ResourceMeta meta();

  /** This resource with {@code meta} instead (the config store records the apply order there). */
  IstioResource withMeta(ResourceMeta meta);
}
