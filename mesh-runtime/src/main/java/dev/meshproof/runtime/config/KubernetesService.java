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
    ResourceMeta meta, Map<String, String> selector, List<Port> ports, String type)
    implements IstioResource {

  public KubernetesService {
    selector = Map.copyOf(selector);
    ports = List.copyOf(ports);
  }

  @Override
  public KubernetesService withMeta(ResourceMeta newMeta) {
    return new KubernetesService(newMeta, selector, ports, type);
  }

  /**
   * One {@code spec.ports} entry; {@code targetPort} is the number or name written (the port when
   * absent), {@code line} where it was written.
   */
  public record Port(String name, int port, String targetPort, String protocol, int line) {}
}
