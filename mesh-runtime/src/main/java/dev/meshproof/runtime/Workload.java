package dev.meshproof.runtime;

import dev.meshproof.runtime.client.MeshHttpClient;

/** A workload deployed in a {@link Mesh}: its spec, its sidecar, and an HTTP client for its app. */
public final class Workload {
  private final WorkloadSpec spec;
  private final SidecarProxy sidecar;
  private final MeshHttpClient http;

  Workload(WorkloadSpec spec, SidecarProxy sidecar, MeshHttpClient http) {
    this.spec = spec;
    this.sidecar = sidecar;
    this.http = http;
  }

  public String name() {
    return spec.name();
  }

  public WorkloadSpec spec() {
    return spec;
  }

  public SidecarProxy sidecar() {
    return sidecar;
  }

  /** Sends requests as this workload's app does: through its sidecar's outbound listener. */
  public MeshHttpClient http() {
    return http;
  }
}
