package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;

/**
 * A Kubernetes <a
 * href="https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/">apps/v1
 * Deployment</a> as the mesh simulates it: its replicas become workload instances with the pod
 * template's labels and service account, each a fake app behind a sidecar. The containers' images,
 * commands, probes, resources and volumes are accepted and not simulated: the fake app replaces
 * them.
 */
public record KubernetesDeployment(
    ResourceMeta meta,
    int replicas,
    Map<String, String> podLabels,
    String serviceAccountName,
    int serviceAccountLine,
    List<Integer> containerPorts)
    implements IstioResource {

  public KubernetesDeployment {
    podLabels = Map.copyOf(podLabels);
    containerPorts = List.copyOf(containerPorts);
  }

  @Override
  public KubernetesDeployment withMeta(ResourceMeta newMeta) {
    return new KubernetesDeployment(
        newMeta, replicas, podLabels, serviceAccountName, serviceAccountLine, containerPorts);
  }
}
