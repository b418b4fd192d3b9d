package dev.meshproof.runtime.registry;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The stand-in endpoint of a ServiceEntry with resolution NONE: such an entry has no endpoints
 * (istiod gives it an {@code ORIGINAL_DST} cluster that connects wherever the caller's connection
 * was going), so its registry instances carry, instead of an address to connect to, one of the
 * entry's {@code addresses} (the loopback address callers dial) and the port connected to (the
 * port's {@code targetPort}, istiod's {@code PassthroughTargetPorts}, else the port itself). It is
 * an unresolved address with a reserved name prefix, never connected to: the translation reads it
 * back with {@link #address} to build the entry's virtual host domains and its original-destination
 * cluster.
 */
public final class OriginalDestinationEndpoint {
  /** A prefix no DNS name of a ServiceEntry endpoint has (it ends with a dot-less marker). */
  private static final String PREFIX = "original-destination~";

  private OriginalDestinationEndpoint() {}

  /** The stand-in endpoint for callers dialling {@code address}, connected on {@code port}. */
  public static InetSocketAddress of(String address, int port) {
    return InetSocketAddress.createUnresolved(PREFIX + address, port);
  }

  /** The address callers dial, when {@code endpoint} is such a stand-in. */
  public static Optional<String> address(InetSocketAddress endpoint) {
    return endpoint.isUnresolved() && endpoint.getHostString().startsWith(PREFIX)
        ? Optional.of(endpoint.getHostString().substring(PREFIX.length()))
        : Optional.empty();
  }

  /** Whether {@code instances} are those of a resolution NONE entry. */
  public static boolean any(List<ServiceInstance> instances) {
    return instances != null && instances.stream().anyMatch(i -> address(i.endpoint()).isPresent());
  }
}
