package dev.meshproof.runtime.config;

import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a
 * href="https://istio.io/latest/docs/reference/config/security/peer_authentication/">PeerAuthentication</a>:
 * the mutual TLS mode of the selected workloads, optionally per port. Parsed and validated; not
 * simulated yet (rejected as not supported).
 */
public record PeerAuthentication(
    ResourceMeta meta,
    Map<String, String> selector,
    Optional<String> mode,
    Map<Integer, String> portLevelModes)
    implements IstioResource {

  /** {@code mtls.mode} values. */
  public static final java.util.List<String> MODES =
      java.util.List.of("UNSET", "DISABLE", "PERMISSIVE", "STRICT");

  public PeerAuthentication {
    selector = Map.copyOf(selector);
    portLevelModes = Map.copyOf(portLevelModes);
  }

  @Override
  public PeerAuthentication withMeta(ResourceMeta newMeta) {
    return new PeerAuthentication(newMeta, selector, mode, portLevelModes);
  }
}
