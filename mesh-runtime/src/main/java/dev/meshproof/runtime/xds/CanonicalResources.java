package dev.meshproof.runtime.xds;

import com.google.protobuf.Message;
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
 * cached one), the snapshot's wrapped resources, and the sidecars' shared copies. Weak: a resource
 * no snapshot holds any more goes.
 */
final class CanonicalResources {
  /** The control planes of this JVM share one. */
  static final CanonicalResources JVM = new CanonicalResources();

  private final Map<Message, WeakReference<Message>> held = new WeakHashMap<>();

  private CanonicalResources() {}

  /** {@code resources}, each replaced by the held instance equal to it, if any; in order. */
  <T extends Message> List<T> canonical(List<T> resources) {
    List<T> out = new ArrayList<>(resources.size());
    synchronized (held) {
      for (T resource : resources) {
        out.add(canonical(resource));
      }
    }
    return List.copyOf(out);
  }

  @SuppressWarnings("unchecked") // an equal message is of the same class
  private <T extends Message> T canonical(T resource) {
    WeakReference<Message> ref = held.get(resource);
    Message existing = ref == null ? null : ref.get();
    if (existing != null) {
      return (T) existing;
    }
    held.put(resource, new WeakReference<>(resource));
    return resource;
  }
}
