package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the analyzers read: every document, and the services known without a document. */
record AnalysisInput(
    List<RawResource> resources, List<RegistryService> registry, List<RegistryPod> registryPods) {
  AnalysisInput {
    resources = List.copyOf(resources);
    registry = List.copyOf(registry);
    registryPods = List.copyOf(registryPods);
  }

  AnalysisInput(List<RawResource> resources, List<RegistryService> registry) {
    this(resources, registry, List.of());
  }

  /** A pod as the pod-selecting analyzers see it; {@code resource} is empty for a registry pod. */
  record Pod(
      String namespace,
      String name,
      Map<String, String> labels,
      Map<String, String> annotations,
      Optional<RawResource> resource) {}

  /**
   * The pods workload selectors are matched against: {@code Pod} documents (what {@code istioctl
   * analyze} reads), and, a deliberate addition since Meshproof's topologies are written as
   * Deployments and scenario services, each Deployment's pod template, each WorkloadEntry, and the
   * registry's pods.
   */
  List<Pod> pods() {
    List<Pod> pods = new java.util.ArrayList<>();
    for (RawResource pod : ofKind("Pod")) {
      pods.add(
          new Pod(
              pod.namespace(),
              pod.name(),
              pod.labels(),
              DestinationChecks.stringMap(pod.root(), "metadata", "annotations"),
              Optional.of(pod)));
    }
    for (RawResource deployment : ofKind("Deployment")) {
      pods.add(
          new Pod(
              deployment.namespace(),
              deployment.name(),
              DestinationChecks.stringMap(
                  deployment.root(), "spec", "template", "metadata", "labels"),
              DestinationChecks.stringMap(
                  deployment.root(), "spec", "template", "metadata", "annotations"),
              Optional.empty()));
    }
    for (RawResource entry : ofKind("WorkloadEntry")) {
      pods.add(
          new Pod(
              entry.namespace(),
              entry.name(),
              DestinationChecks.stringMap(entry.root(), "spec", "labels"),
              Map.of(),
              Optional.empty()));
    }
    for (RegistryPod pod : registryPods) {
      pods.add(new Pod(pod.namespace(), pod.name(), pod.labels(), Map.of(), Optional.empty()));
    }
    return pods;
  }

  List<RawResource> ofKind(String kind) {
    return resources.stream().filter(r -> r.kind().equals(kind)).toList();
  }
}
