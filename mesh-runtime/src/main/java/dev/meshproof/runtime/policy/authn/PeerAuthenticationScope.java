package dev.meshproof.runtime.policy.authn;

import java.util.Map;
import java.util.Optional;

/**
 * One PeerAuthentication as the precedence rules see it: where it applies (mesh-wide in the root
 * namespace, a namespace, or the workloads its selector matches), its mode and its per-port modes.
 * Listed oldest first, as Istio breaks ties by creation time.
 *
 * @param namespace the resource's namespace
 * @param selector the {@code selector.matchLabels}; empty for a mesh-wide or namespace policy
 * @param mode {@code mtls.mode}
 * @param portModes {@code portLevelMtls}: workload port to mode (only with a selector)
 */
public record PeerAuthenticationScope(
    String namespace,
    Optional<Map<String, String>> selector,
    PeerAuthenticationMode mode,
    Map<Integer, PeerAuthenticationMode> portModes) {
  public PeerAuthenticationScope {
    selector = selector.map(Map::copyOf);
    portModes = Map.copyOf(portModes);
  }
}
