package dev.meshproof.runtime.policy.authz;

import java.net.InetAddress;

/** Envoy's {@code config.core.v3.CidrRange}: an address prefix and its length in bits. */
public record CidrRange(InetAddress prefix, int length) {

  public CidrRange {
    int bits = prefix.getAddress().length * 8;
    if (length < 0 || length > bits) {
      throw new IllegalArgumentException(
          "prefix_len: " + length + " (expected: 0-" + bits + " for " + prefix + ")");
    }
  }

  /** Whether {@code address} falls in this range (an IPv4 range never holds an IPv6 address). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] p = prefix.getAddress();
    if (a.length != p.length) {
      return false;
    }
    int full = length / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != p[i]) {
        return false;
      }
    }
    int rest = length % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (p[full] & mask);
  }
}
