package dev.meshproof.runtime.proxy;

import com.google.protobuf.Any;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * everywhere), its entry is dropped after the next garbage collection. A resource that fails to
 * decode (a NACK) is not remembered.
 */
final class SharedXdsResources {

  /** The JVM's one table, shared by every embedded sidecar. */
  static final SharedXdsResources JVM = new SharedXdsResources();

  /**
   * One held resource, referenced weakly: the instance sidecars share and, once decoded, what was
   * derived from it. It must not hold its resource strongly, or it would never be collected.
   */
  private static final class Entry extends WeakReference<Any> {
    final int hash;

    /** By view ({@link #DECODED} or another reader's key), what it derived from the resource. */
    final Map<Object, Object> views = new ConcurrentHashMap<>(2);

    Entry(Any resource, int hash, ReferenceQueue<Any> collected) {
      super(resource, collected);
      this.hash = hash;
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

  /** The held resources by {@link Any#hashCode()}; guarded by {@code this}. */
  private final Map<Integer, Entry[]> entries = new HashMap<>();

  /** Entries whose resource was collected, to drop from {@link #entries}. */
  private final ReferenceQueue<Any> collected = new ReferenceQueue<>();

  /** {@code resources} with each replaced by the instance every sidecar holding it shares. */
  List<Any> canonical(List<Any> resources) {
    List<Any> out = new ArrayList<>(resources.size());
    for (Any resource : resources) {
      out.add(canonical(resource));
    }
    return out;
  }

  /**
   * The held instance equal to {@code resource}, else {@code resource} itself, now held. Each
   * sidecar's state-of-the-world response repeats every resource of its type, so this runs for
   * every resource of every response of every sidecar: the bytes are compared outside the lock,
   * every sidecar's ADS thread at once, and with a vectorised comparison ({@link
   * java.nio.ByteBuffer#equals}); comparing them with {@link Any#equals} under the lock was the
   * largest share of a route change's profile at 200 proxies (JFR, a third of its samples).
   */
  private Any canonical(Any resource) {
    int hash = resource.hashCode();
    Entry[] bucket;
    synchronized (this) {
      expungeCollected();
      bucket = entries.get(hash);
    }
    Any held = find(bucket, resource);
    if (held != null) {
      return held;
    }
    synchronized (this) {
      Entry[] now = entries.get(hash);
      if (now != bucket) {
        held = find(now, resource); // another sidecar added it meanwhile
        if (held != null) {
          return held;
        }
      }
      Entry added = new Entry(resource, hash, collected);
      Entry[] grown = now == null ? new Entry[1] : Arrays.copyOf(now, now.length + 1);
      grown[grown.length - 1] = added;
      entries.put(hash, grown);
      return resource;
    }
  }

  private static Any find(Entry[] bucket, Any resource) {
    if (bucket == null) {
      return null;
    }
    for (Entry entry : bucket) {
      Any held = entry.get();
      if (held != null && sameResource(held, resource)) {
        return held;
      }
    }
    return null;
  }

  /** Equal type and bytes: what a decoder reads of a resource. */
  private static boolean sameResource(Any held, Any resource) {
    return held == resource
        || (held.getValue().size() == resource.getValue().size()
            && held.getTypeUrl().equals(resource.getTypeUrl())
            && held.getValue()
                .asReadOnlyByteBuffer()
                .equals(resource.getValue().asReadOnlyByteBuffer()));
  }

  /** Drops the entries of resources no sidecar holds any more. */
  private void expungeCollected() {
    for (Reference<? extends Any> gone; (gone = collected.poll()) != null; ) {
      Entry entry = (Entry) gone;
      Entry[] bucket = entries.get(entry.hash);
      if (bucket == null) {
        continue;
      }
      Entry[] kept = Arrays.stream(bucket).filter(e -> e != entry).toArray(Entry[]::new);
      if (kept.length == 0) {
        entries.remove(entry.hash);
      } else {
        entries.put(entry.hash, kept);
      }
    }
  }

  /** The entry of {@code resource} if it is the held instance, else {@code null}. */
  private synchronized Entry entryOf(Any resource) {
    Entry[] bucket = entries.get(resource.hashCode());
    if (bucket != null) {
      for (Entry entry : bucket) {
        if (entry.get() == resource) {
          return entry;
        }
      }
    }
    return null;
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
    Entry entry = entryOf(resource);
    if (entry == null) {
      return derive.apply(resource); // not a canonical instance: nothing to share it with
    }
    return (V) entry.views.computeIfAbsent(view, k -> derive.apply(resource));
  }

  /** Resources held (for tests: an entry goes once no sidecar holds its resource). */
  synchronized int size() {
    expungeCollected();
    int size = 0;
    for (Entry[] bucket : entries.values()) {
      for (Entry entry : bucket) {
        if (entry.get() != null) {
          size++;
        }
      }
    }
    return size;
  }
}
