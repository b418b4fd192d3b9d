package dev.meshproof.runtime.config;

import java.util.Comparator;
import java.util.HashMap;
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
  // When each key was first applied: re-applying keeps a resource's creation, as in Kubernetes.
  private final Map<String, Long> applyOrder = new HashMap<>();
  private long applied;

  public synchronized void apply(List<IstioResource> changed) {
    for (IstioResource resource : changed) {
      resources.put(resource.meta().key(), resource);
      applyOrder.putIfAbsent(resource.meta().key(), applied++);
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

  /**
   * The applied resources of {@code kind}, oldest first, as istiod orders them ({@code
   * configCompareByCreationTime}): by {@code creationTimestamp}, ties by name then namespace.
   * Resources without a stated timestamp were created when first applied, after every stated one.
   */
  public synchronized <T extends IstioResource> List<T> resourcesInCreationOrder(
      IstioKind<T> kind) {
    Comparator<T> byTimestamp =
        Comparator.comparing(
            (T r) -> r.meta().creationTimestamp(),
            (a, b) ->
                a.isPresent() && b.isPresent()
                    ? a.get().compareTo(b.get())
                    : Boolean.compare(a.isEmpty(), b.isEmpty()));
    Comparator<T> order =
        byTimestamp
            .thenComparing(
                (T r) ->
                    r.meta().creationTimestamp().isPresent() ? 0L : applyOrder.get(r.meta().key()))
            .thenComparing((T r) -> r.meta().name())
            .thenComparing((T r) -> r.meta().namespace());
    return resources(kind).stream().sorted(order).toList();
  }
}
