package dev.meshproof.runtime.policy.lb;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The destination an {@code ORIGINAL_DST} cluster reads from a request header ({@code
 * original_dst_lb_config.use_http_header}), as Envoy's {@code
 * OriginalDstCluster::LoadBalancer::requestOverrideHost} reads it: an IPv4 literal or a bracketed
 * IPv6 literal, then {@code :port}; anything else (a name, no port, a port above 65535) is no
 * destination, and Envoy finds no host. Never resolves a name. See <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/original_dst">Original
 * destination</a>.
 */
public final class OriginalDestination {
  private OriginalDestination() {}

  /** The address {@code value} names, or empty when it is not an {@code ip:port} literal. */
  public static Optional<InetSocketAddress> fromHeader(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1 || value.length() - colon - 1 > 5) {
      return Optional.empty();
    }
    String portText = value.substring(colon + 1);
    for (int i = 0; i < portText.length(); i++) {
      if (portText.charAt(i) < '0' || portText.charAt(i) > '9') {
        return Optional.empty();
      }
    }
    int port = Integer.parseInt(portText);
    if (port > 0xFFFF) {
      return Optional.empty();
    }
    String host = value.substring(0, colon);
    Optional<byte[]> address;
    if (host.startsWith("[") && host.endsWith("]")) {
      address = ipv6(host.substring(1, host.length() - 1));
    } else {
      address = ipv4(host);
    }
    return address.map(bytes -> new InetSocketAddress(literal(bytes), port));
  }

  /** A dotted quad of four decimal octets, as inet_pton accepts it (no leading zeros). */
  private static Optional<byte[]> ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty()
          || part.length() > 3
          || (part.length() > 1 && part.charAt(0) == '0')
          || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Optional.empty();
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        return Optional.empty();
      }
      out[i] = (byte) octet;
    }
    return Optional.of(out);
  }

  /** An IPv6 literal: only hex digits, colons and dots, so {@code getByName} never resolves. */
  private static Optional<byte[]> ipv6(String text) {
    if (text.isEmpty()
        || !text.contains(":")
        || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName("[" + text + "]").getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static InetAddress literal(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
    }
  }
}
