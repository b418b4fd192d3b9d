package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationScope;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/security/peer_authentication/">
 * PeerAuthentication</a>: the mutual TLS mode a workload's inbound side accepts, mesh-wide (root
 * namespace), per namespace, per selected workload, and per workload port.
 */
public record PeerAuthentication(
    ResourceMeta meta,
    Optional<Map<String, String>> selector,
    PeerAuthenticationMode mode,
    Map<Integer, PeerAuthenticationMode> portLevelMtls)
    implements IstioResource {

  public PeerAuthentication {
    selector = selector.map(Map::copyOf);
    portLevelMtls = Map.copyOf(portLevelMtls);
  }

  @Override
  public PeerAuthentication withMeta(ResourceMeta newMeta) {
    return new PeerAuthentication(newMeta, selector, mode, portLevelMtls);
  }

  /** This policy as the precedence rules of {@code policy.authn} read it. */
  public PeerAuthenticationScope scope() {
    return new PeerAuthenticationScope(meta.namespace(), selector, mode, portLevelMtls);
  }
}
