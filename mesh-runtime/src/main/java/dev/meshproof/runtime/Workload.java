package dev.meshproof.runtime;

import dev.meshproof.runtime.client.MeshHttpClient;

/** A workload deployed in a {@link Mesh}: its spec, its sidecar, and an HTTP client for its app. */
public final class Workload {
  private final WorkloadSpec spec;
  private final SidecarProxy sidecar;
  private final MeshHttpClient http;
  private final java.util.Map<Integer, MeshHttpClient> gatewayClients;

  Workload(WorkloadSpec spec, SidecarProxy sidecar, MeshHttpClient http) {
    this(spec, sidecar, http, java.util.Map.of());
  }

  Workload(
      WorkloadSpec spec,
      SidecarProxy sidecar,
      MeshHttpClient http,
      java.util.Map<Integer, MeshHttpClient> gatewayClients) {
    this.spec = spec;
    this.sidecar = sidecar;
    this.http = http;
    this.gatewayClients = java.util.Map.copyOf(gatewayClients);
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

  /**
   * For an ingress gateway: sends requests as a client outside the mesh does, through the gateway's
   * Service port {@code port} ({@link WorkloadSpec#gatewayPodPort}: 80 reaches the pod's 8080) to
   * the listener there (the request's Host picks the Gateway host).
   *
   * @throws IllegalArgumentException when the gateway's Service has no such port
   */
  public MeshHttpClient ingress(int port) {
    MeshHttpClient client = gatewayClients.get(spec.gatewayPodPort(port));
    if (client == null) {
      throw new IllegalArgumentException(
          "port: "
              + port
              + " (expected: a gateway port of "
              + spec.namespace()
              + "/"
              + spec.name()
              + ": "
              + spec.gatewayPorts()
              + ")");
    }
    return client;
  }

  /**
   * For an ingress gateway: the loopback address a client outside the mesh connects to for the
   * gateway's Service port {@code port} (a TCP server's listener).
   */
  public java.net.InetSocketAddress ingressAddress(int port) {
    java.net.InetSocketAddress address = sidecar.gatewayAddresses().get(spec.gatewayPodPort(port));
    if (address == null) {
      throw new IllegalArgumentException(
          "port: " + port + " (expected: a gateway port of " + spec.name() + ")");
    }
    return address;
  }

  /** Sends requests as this workload's app does: through its sidecar's outbound listener. */
  public MeshHttpClient http() {
    return http;
  }
}
