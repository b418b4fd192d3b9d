package dev.meshproof.runtime.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Istio resources currently applied to the mesh, keyed by kind, namespace and name; applying a
 * resource with an existing key replaces it, as {@code kubectl apply} does. Reads return immutable
 * copies in a stable order (by key), so translation is deterministic.
 *
 * <p>Each resource gets an apply sequence on its {@link ResourceMeta} the first time its key is
 * applied; replacing it keeps that sequence, as the API server keeps {@code creationTimestamp} on
 * an update. The sequence stands in for the creation time when the YAML gives none.
 */
public final class ConfigStore {
  private final Map<String, IstioResource> resources = new TreeMap<>();
  private long lastSequence;

  /** Applies {@code changed} in order; returns them as stored (with their apply sequence). */
  public synchronized List<IstioResource> apply(List<IstioResource> changed) {
    List<IstioResource> stored = new ArrayList<>();
    for (IstioResource resource : changed) {
      IstioResource previous = resources.get(resource.meta().key());
      long sequence = previous != null ? previous.meta().applySequence() : ++lastSequence;
      IstioResource withSequence = resource.withMeta(resource.meta().withApplySequence(sequence));
      resources.put(resource.meta().key(), withSequence);
      stored.add(withSequence);
    }
    return List.copyOf(stored);
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
   * configCompareByCreationTime}, {@link ResourceMeta#OLDEST_FIRST}): by {@code creationTimestamp},
   * ties by name then namespace. Resources without a stated timestamp were created when first
   * applied, after every stated one.
   */
  public synchronized <T extends IstioResource> List<T> resourcesInCreationOrder(
      IstioKind<T> kind) {
    return resources(kind).stream()
        .sorted(Comparator.comparing(IstioResource::meta, ResourceMeta.OLDEST_FIRST))
        .toList();
  }
}
