package dev.meshproof.scenario.load;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where the load goes: a loopback socket (the echo itself, or a sidecar listener in front of it),
 * the Host / {@code :authority} naming the destination service, and the request path. Only {@code
 * 127.0.0.1} is accepted: this load generator must never be pointed at another machine.
 */
public record LoadTarget(InetSocketAddress address, String authority, String path) {

  public LoadTarget {
    Objects.requireNonNull(address, "address");
    if (address.isUnresolved() || !"127.0.0.1".equals(address.getAddress().getHostAddress())) {
      throw new IllegalArgumentException("address: " + address + " (expected: 127.0.0.1:<port>)");
    }
    if (authority == null || authority.isBlank()) {
      throw new IllegalArgumentException(
          "authority: \"" + authority + "\" (expected: a service host, e.g. echo)");
    }
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("path: " + path + " (expected: starts with /)");
    }
  }

  /** A target at {@code address} for service {@code authority}, path {@code /}. */
  public static LoadTarget of(InetSocketAddress address, String authority) {
    return new LoadTarget(address, authority, "/");
  }
}
