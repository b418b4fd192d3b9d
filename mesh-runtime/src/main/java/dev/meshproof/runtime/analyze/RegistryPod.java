package dev.meshproof.runtime.analyze;

import java.util.Map;
import java.util.Objects;

/**
 * A pod the mesh runs without a {@code Pod} or {@code Deployment} document: a scenario's service
 * instances and clients, so that analyzers selecting workloads by labels (Sidecar selectors,
 * DestinationRule subsets) see them as istiod's registry would.
 *
 * @param name the pod's name, e.g. {@code catalog-v1-0}
 * @param namespace its namespace
 * @param labels its labels, e.g. {@code app: catalog, version: v1}
 */
public record RegistryPod(String name, String namespace, Map<String, String> labels) {
  public RegistryPod {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
  }
}
