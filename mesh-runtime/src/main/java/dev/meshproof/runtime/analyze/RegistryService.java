package dev.meshproof.runtime.analyze;

import java.util.List;
import java.util.Objects;

/**
 * A service the mesh knows without a Kubernetes {@code Service} document: a scenario's topology
 * registers its services this way, so destinations to them resolve as istiod's registry would.
 *
 * @param name the short name, e.g. {@code catalog}
 * @param namespace its namespace, e.g. {@code default}
 * @param ports its service ports
 */
public record RegistryService(String name, String namespace, List<Integer> ports) {
  public RegistryService {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    ports = List.copyOf(ports);
  }
}
