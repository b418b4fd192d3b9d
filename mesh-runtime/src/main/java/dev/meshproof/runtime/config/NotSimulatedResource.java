package dev.meshproof.runtime.config;

/**
 * A resource of a kind the mesh accepts but does not simulate (an EnvoyFilter, a Telemetry, a
 * ConfigMap, a HorizontalPodAutoscaler, a Gateway API route, ...): kept so that runs can list it as
 * "not simulated" rather than silently drop it. Its spec is not read.
 */
public record NotSimulatedResource(ResourceMeta meta, String apiVersion) implements IstioResource {

  @Override
  public NotSimulatedResource withMeta(ResourceMeta newMeta) {
    return new NotSimulatedResource(newMeta, apiVersion);
  }

  /** {@code apiVersion kind namespace/name (file:line)}, as a run lists it. */
  public String describe() {
    return apiVersion
        + " "
        + meta.kind()
        + " "
        + meta.namespace()
        + "/"
        + meta.name()
        + " ("
        + meta.source()
        + ":"
        + meta.line()
        + ")";
  }
}
