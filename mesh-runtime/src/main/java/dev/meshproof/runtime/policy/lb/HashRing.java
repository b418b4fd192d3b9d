package dev.meshproof.runtime.policy.lb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Envoy's ring hash ({@code source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc},
 * {@code RingHashLoadBalancer::Ring}) for hosts of equal weight: each host is hashed onto the ring
 * {@code ceil(minimumRingSize / hosts)} times (capped at Envoy's default maximum ring size of
 * 8,388,608 entries) at {@code xxHash64(hostKey + "_" + i)}, where the host key is its address as
 * Envoy prints it ({@code 127.0.0.1:8080}); a request's hash picks the first entry at or above it,
 * wrapping to the first entry. The ring depends only on the host keys, so a key keeps its host
 * while the endpoint set is unchanged, and removing a host moves only the keys that host had.
 */
public final class HashRing {
  /** Envoy's default {@code maximum_ring_size}. */
  public static final long MAXIMUM_RING_SIZE = 8L * 1024 * 1024;

  /** Envoy's default {@code minimum_ring_size} (also istiod's default). */
  public static final long DEFAULT_MINIMUM_RING_SIZE = 1024;

  private final long[] hashes;
  private final int[] hostIndex;

  private HashRing(long[] hashes, int[] hostIndex) {
    this.hashes = hashes;
    this.hostIndex = hostIndex;
  }

  /** The ring over {@code hostKeys} (none empty) with {@code minimumRingSize} entries at least. */
  public static HashRing build(List<String> hostKeys, long minimumRingSize) {
    if (hostKeys.isEmpty()) {
      throw new IllegalArgumentException("a ring needs at least one host");
    }
    // Envoy: scale = min(ceil(min_normalized_weight * min_ring_size) / min_normalized_weight,
    // max_ring_size); with equal weights each host gets scale / hosts entries, rounded up.
    int n = hostKeys.size();
    double weight = 1.0 / n;
    double scale =
        Math.min(Math.ceil(weight * minimumRingSize) / weight, (double) MAXIMUM_RING_SIZE);
    record Entry(long hash, int host) {}
    List<Entry> ring = new ArrayList<>();
    double target = 0;
    long current = 0;
    for (int h = 0; h < n; h++) {
      target += scale * weight;
      long i = 0;
      while (current < target) {
        ring.add(new Entry(XxHash64.hash(hostKeys.get(h) + "_" + i), h));
        i++;
        current++;
      }
    }
    ring.sort(Comparator.comparing(Entry::hash, Long::compareUnsigned));
    long[] hashes = ring.stream().mapToLong(Entry::hash).toArray();
    int[] hosts = ring.stream().mapToInt(Entry::host).toArray();
    return new HashRing(hashes, hosts);
  }

  /** The index (into the host keys the ring was built from) of the host for {@code hash}. */
  public int hostFor(long hash) {
    int low = 0;
    int high = hashes.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (Long.compareUnsigned(hashes[mid], hash) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return hostIndex[low == hashes.length ? 0 : low];
  }

  /** How many entries the ring has. */
  public int size() {
    return hashes.length;
  }

  @Override
  public String toString() {
    return "HashRing" + Arrays.toString(Arrays.copyOf(hashes, Math.min(4, hashes.length)));
  }
}
