package dev.meshproof.runtime.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One instance per distinct translated resource in the JVM, while something holds it: a shared
 * resource built again with the same content (a VirtualService change undone, the clusters of
 * services a change did not touch, built for a new outbound input) is the instance built before.
 * Everything downstream recognises an instance it has seen by identity, in one comparison: the ADS
 * server's serializer, which packs each resource once and keeps the packed form keyed by the
 * resource (a new equal instance made each proxy's lookup compare the whole resource with the
 * cached one), the snapshot's wrapped resources, and the sidecars' shared copies. Each comes with
 * its one {@link VersionedResource} wrapper, so a proxy's snapshot whose resources are the ones it
 * held keeps its resource map and version ({@link TranslatedSnapshot}). Weak: a resource no
 * snapshot holds any more goes.
 */
final class CanonicalResources {
  /** The control planes of this JVM share one. */
  static final CanonicalResources JVM = new CanonicalResources();

  /** By resource, the wrapper of its canonical instance; held as long as a snapshot holds it. */
  private final Map<Message, WeakReference<VersionedResource<?>>> held = new WeakHashMap<>();

  private CanonicalResources() {}

  /**
   * {@code resources}, each as the wrapper of the held instance equal to it (made now for a
   * resource not held); in order.
   */
  <T extends Message> List<VersionedResource<T>> versioned(List<T> resources) {
    List<VersionedResource<T>> out = new ArrayList<>(resources.size());
    synchronized (held) {
      for (T resource : resources) {
        out.add(versioned(resource));
      }
    }
    return List.copyOf(out);
  }

  @SuppressWarnings("unchecked") // an equal message is of the same class
  private <T extends Message> VersionedResource<T> versioned(T resource) {
    WeakReference<VersionedResource<?>> ref = held.get(resource);
    VersionedResource<?> existing = ref == null ? null : ref.get();
    if (existing != null) {
      return (VersionedResource<T>) existing;
    }
    VersionedResource<T> wrapped = VersionedResource.create(resource);
    held.put(resource, new WeakReference<>(wrapped));
    return wrapped;
  }
}
