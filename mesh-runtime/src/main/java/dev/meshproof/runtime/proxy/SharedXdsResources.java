package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The xDS resources every embedded sidecar in the JVM holds, each kept once: N sidecars that see
 * the same N services receive the same cluster, endpoint and route resources (the control plane
 * shares one object per resource between their snapshots), so they hold references to one received
 * copy ({@link #canonical}) and one decoded configuration of it ({@link #decoded}), not N of each.
 *
 * <p>A resource is its {@link Any} (type and bytes): equal bytes decode to equal configuration,
 * since a decoder reads nothing but the resource, and the decoded configuration is immutable
 * ({@link ProxyConfig}), so sharing it cannot let one sidecar see another's state. Entries are held
 * weakly by their resource: once no sidecar holds a resource any more (a new version replaced it
 * everywhere), its entry goes with the next garbage collection. A resource that fails to decode (a
 * NACK) is not remembered.
 */
final class SharedXdsResources {

  /** The JVM's one table, shared by every embedded sidecar. */
  static final SharedXdsResources JVM = new SharedXdsResources();

  /**
   * One held resource: the instance sidecars share and, once decoded, its name and configuration.
   * It must not hold its resource strongly, or the weak key would never be collected.
   */
  private static final class Entry {
    final WeakReference<Any> resource;

    /** By view ({@link #DECODED} or another reader's key), what it derived from the resource. */
    final Map<Object, Object> views = new ConcurrentHashMap<>(2);

    Entry(Any resource) {
      this.resource = new WeakReference<>(resource);
    }
  }

  /** The view {@link #decoded} keeps: the resource type's decoder's result. */
  private static final Object DECODED = new Object();

  /**
   * A decoded resource and the name it goes under.
   *
   * @param <T> the decoded configuration
   */
  record Named<T>(String name, T config) {}

  private final Map<Any, Entry> entries = Collections.synchronizedMap(new WeakHashMap<>());

  /** {@code resources} with each replaced by the instance every sidecar holding it shares. */
  List<Any> canonical(List<Any> resources) {
    List<Any> out = new ArrayList<>(resources.size());
    for (Any resource : resources) {
      out.add(canonical(resource));
    }
    return out;
  }

  private Any canonical(Any resource) {
    synchronized (entries) {
      Entry entry = entries.get(resource);
      Any held = entry == null ? null : entry.resource.get();
      if (held != null) {
        return held;
      }
      entries.put(resource, new Entry(resource));
      return resource;
    }
  }

  /**
   * The decoded configuration of {@code resource}: decoded once in the JVM while any sidecar holds
   * the resource, whoever asks.
   *
   * @throws IllegalArgumentException what {@code decode} throws for a resource the sidecar cannot
   *     honour (a NACK); not remembered
   */
  <T> Named<T> decoded(Any resource, Function<Any, Named<T>> decode) {
    return view(resource, DECODED, decode);
  }

  /**
   * What {@code derive} gives for {@code resource}, derived once in the JVM per {@code view} while
   * any sidecar holds the resource: for a reader other than the type's decoder (the workload names
   * of an assignment's endpoints), which must be a pure function of the resource and return an
   * immutable value.
   *
   * @throws RuntimeException what {@code derive} throws; not remembered
   */
  @SuppressWarnings("unchecked") // one view key is always used with one derivation and type
  <V> V view(Any resource, Object view, Function<Any, V> derive) {
    Entry entry = entries.get(resource);
    if (entry == null || entry.resource.get() != resource) {
      return derive.apply(resource); // not a canonical instance: nothing to share it with
    }
    return (V) entry.views.computeIfAbsent(view, k -> derive.apply(resource));
  }

  /** Resources held (for tests: an entry goes once no sidecar holds its resource). */
  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
