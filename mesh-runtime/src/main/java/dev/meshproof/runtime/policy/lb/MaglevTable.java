package dev.meshproof.runtime.policy.lb;

import java.util.Arrays;
import java.util.List;

/**
 * Envoy's Maglev lookup table ({@code
 * source/extensions/load_balancing_policies/maglev/maglev_lb.cc}, {@code MaglevTable}) for hosts of
 * equal weight: each host's permutation starts at {@code xxHash64(key, 0) % size} and steps by
 * {@code xxHash64(key, 1) % (size - 1) + 1}; hosts take turns claiming their next free slot until
 * the table is full. A request's hash picks slot {@code hash % size}. The host key is the address
 * as Envoy prints it.
 */
public final class MaglevTable {
  /** Envoy's default {@code table_size}, a prime. */
  public static final long DEFAULT_TABLE_SIZE = 65537;

  private final int[] table;

  private MaglevTable(int[] table) {
    this.table = table;
  }

  /** The table over {@code hostKeys} (none empty); {@code size} must be prime, as Envoy checks. */
  public static MaglevTable build(List<String> hostKeys, long size) {
    if (hostKeys.isEmpty()) {
      throw new IllegalArgumentException("a Maglev table needs at least one host");
    }
    int m = Math.toIntExact(size);
    int n = hostKeys.size();
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int h = 0; h < n; h++) {
      offset[h] = Long.remainderUnsigned(XxHash64.hash(hostKeys.get(h), 0), m);
      skip[h] = Long.remainderUnsigned(XxHash64.hash(hostKeys.get(h), 1), m - 1) + 1;
    }
    int[] table = new int[m];
    Arrays.fill(table, -1);
    int filled = 0;
    while (true) {
      for (int h = 0; h < n; h++) {
        long c = (offset[h] + skip[h] * next[h]) % m;
        while (table[(int) c] >= 0) {
          next[h]++;
          c = (offset[h] + skip[h] * next[h]) % m;
        }
        table[(int) c] = h;
        next[h]++;
        if (++filled == m) {
          return new MaglevTable(table);
        }
      }
    }
  }

  /** The index (into the host keys the table was built from) of the host for {@code hash}. */
  public int hostFor(long hash) {
    return table[(int) Long.remainderUnsigned(hash, table.length)];
  }
}
