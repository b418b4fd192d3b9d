package dev.meshproof.scenario.chaos;

import java.util.Objects;
import java.util.Optional;

/**
 * A network link of the topology that chaos can degrade: a toxic proxy is placed on it when the
 * topology is deployed (for each selected callee instance), and {@link FaultSpec.OnLink} faults act
 * on those proxies while traffic runs.
 *
 * <ul>
 *   <li>{@link Hop#SIDECAR}: a caller's sidecar to each selected instance's sidecar (the pod-to-pod
 *       network), for one caller ({@code from}, a client) or every caller; the callers' EDS lists
 *       the proxy instead of the instance, so both data planes take the same path;
 *   <li>{@link Hop#APP}: each selected instance's sidecar to its application (inside the pod).
 * </ul>
 *
 * @param from the calling client for a {@link Hop#SIDECAR} link, or empty for every caller (always
 *     empty for {@link Hop#APP})
 * @param to the called instances
 * @param hop which hop of the path
 */
public record Link(Optional<String> from, InstanceSelector to, Hop hop) {

  /** Which hop of a request's path a link is. */
  public enum Hop {
    /** Caller sidecar to callee sidecar. */
    SIDECAR,
    /** Callee sidecar to callee application. */
    APP
  }

  /** Checks the parts and that an app link names no caller. */
  public Link {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(hop, "hop");
    from.filter(String::isBlank)
        .ifPresent(
            f -> {
              throw new IllegalArgumentException("from: blank (expected: a client, or none)");
            });
    if (hop == Hop.APP && from.isPresent()) {
      throw new IllegalArgumentException(
          "from: "
              + from.get()
              + " (expected: none for a sidecar-to-app link, which only the callee's sidecar"
              + " uses)");
    }
  }

  /** Every caller's sidecar to the selected instances' sidecars. */
  public static Link toSidecarsOf(InstanceSelector to) {
    return new Link(Optional.empty(), to, Hop.SIDECAR);
  }

  /** {@code client}'s sidecar to the selected instances' sidecars. */
  public static Link between(String client, InstanceSelector to) {
    return new Link(Optional.of(client), to, Hop.SIDECAR);
  }

  /** The selected instances' sidecars to their applications. */
  public static Link toAppOf(InstanceSelector to) {
    return new Link(Optional.empty(), to, Hop.APP);
  }

  @Override
  public String toString() {
    return hop == Hop.APP
        ? to + " sidecar -> app"
        : from.orElse("every caller") + " -> " + to + " sidecar";
  }
}
