package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Istio resources currently applied to the mesh, keyed by kind, namespace and name; applying a
 * resource with an existing key replaces it, as {@code kubectl apply} does. Reads return immutable
 * copies in a stable order (by key), so translation is deterministic.
 */
public final class ConfigStore {
  private final Map<String, IstioResource> resources = new TreeMap<>();

  public synchronized void apply(List<IstioResource> changed) {
    for (IstioResource resource : changed) {
      resources.put(resource.meta().key(), resource);
    }
  }

  public synchronized List<IstioResource> all() {
    return List.copyOf(resources.values());
  }

  public synchronized List<VirtualService> virtualServices() {
    return resources.values().stream()
        .filter(VirtualService.class::isInstance)
        .map(VirtualService.class::cast)
        .toList();
  }

  public synchronized List<DestinationRule> destinationRules() {
    return resources.values().stream()
        .filter(DestinationRule.class::isInstance)
        .map(DestinationRule.class::cast)
        .toList();
  }
}
