package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/service-entry/">
 * ServiceEntry</a>: hosts added to the mesh's service registry, with their ports, location,
 * resolution and (for STATIC and DNS) their endpoints or a selector of WorkloadEntries and pods.
 */
public record ServiceEntry(
    ResourceMeta meta,
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEntry.Endpoint> endpoints,
    Map<String, String> workloadSelector,
    /** {@code exportTo} as written; empty: exported everywhere, Istio's default. */
    List<String> exportTo)
    implements IstioResource {

  /** An entry exported to every namespace. */
  public ServiceEntry(
      ResourceMeta meta,
      List<String> hosts,
      List<String> addresses,
      List<Port> ports,
      Location location,
      Resolution resolution,
      List<WorkloadEntry.Endpoint> endpoints,
      Map<String, String> workloadSelector) {
    this(
        meta,
        hosts,
        addresses,
        ports,
        location,
        resolution,
        endpoints,
        workloadSelector,
        List.of());
  }

  public ServiceEntry {
    exportTo = List.copyOf(exportTo);
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
    workloadSelector = Map.copyOf(workloadSelector);
  }

  @Override
  public ServiceEntry withMeta(ResourceMeta newMeta) {
    return new ServiceEntry(
        newMeta,
        hosts,
        addresses,
        ports,
        location,
        resolution,
        endpoints,
        workloadSelector,
        exportTo);
  }

  /** {@code spec.location}; MESH_EXTERNAL unless written. */
  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  /** {@code spec.resolution}; NONE unless written. */
  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN,
    DYNAMIC_DNS
  }

  /** One {@code spec.ports} entry (Istio's {@code ServicePort}). */
  public record Port(int number, String protocol, String name, int targetPort) {}
}
