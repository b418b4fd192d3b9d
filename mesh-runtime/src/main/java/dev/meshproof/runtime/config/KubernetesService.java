package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes <a
 * href="https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/">v1
 * Service</a>: the service name Istio derives the host {@code <name>.<namespace>.svc.cluster.local}
 * from, its ports and the pod labels it selects. Part of a scenario's topology.
 */
public record KubernetesService(
    ResourceMeta meta,
    Map<String, String> selector,
    List<Port> ports,
    String type,
    /**
     * The {@code networking.istio.io/exportTo} annotation's entries (comma-separated, trimmed, as
     * istiod's {@code kube.ConvertService} splits them); empty: everywhere.
     */
    List<String> exportTo)
    implements IstioResource {

  /** The annotation istiod reads a Service's visibility from. */
  public static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";

  public KubernetesService {
    selector = Map.copyOf(selector);
    ports = List.copyOf(ports);
    exportTo = List.copyOf(exportTo);
  }

  /** A Service exported everywhere. */
  public KubernetesService(
      ResourceMeta meta, Map<String, String> selector, List<Port> ports, String type) {
    this(meta, selector, ports, type, List.of());
  }

  @Override
  public KubernetesService withMeta(ResourceMeta newMeta) {
    return new KubernetesService(newMeta, selector, ports, type, exportTo);
  }

  /** This Service with its exportTo annotation's entries. */
  public KubernetesService withExportTo(List<String> entries) {
    return new KubernetesService(meta, selector, ports, type, entries);
  }

  /**
   * One {@code spec.ports} entry; {@code targetPort} is the number or name written (the port when
   * absent), {@code line} where it was written.
   */
  public record Port(String name, int port, String targetPort, String protocol, int line) {}
}
