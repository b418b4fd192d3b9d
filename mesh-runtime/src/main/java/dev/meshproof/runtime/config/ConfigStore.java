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

  /** The applied resources of {@code kind}, in key order (namespace, then name). */
  public synchronized <T extends IstioResource> List<T> resources(IstioKind<T> kind) {
    return resources.values().stream()
        .filter(kind.type()::isInstance)
        .map(kind.type()::cast)
        .toList();
  }
}
