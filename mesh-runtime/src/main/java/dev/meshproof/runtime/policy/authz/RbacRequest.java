package dev.meshproof.runtime.policy.authz;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Envoy's RBAC filter reads of one request: the peer's authenticated principal (the URI SAN of
 * the client certificate of a mutual TLS connection; empty on plaintext), the downstream
 * connection's remote address, the port the connection arrived on, and the request's headers
 * ({@code :method}, {@code :authority}, path and the rest), and the dynamic metadata the jwt_authn
 * filter wrote before it: the verified token's payload under its provider's {@code
 * payload_in_metadata} name (istiod names it by the issuer).
 */
public record RbacRequest(
    Optional<String> peerPrincipal,
    InetAddress directRemoteAddress,
    int destinationPort,
    RequestHeaders headers,
    Map<String, Map<String, Object>> jwtPayloads) {

  public RbacRequest {
    Objects.requireNonNull(peerPrincipal, "peerPrincipal");
    Objects.requireNonNull(directRemoteAddress, "directRemoteAddress");
    Objects.requireNonNull(headers, "headers");
    jwtPayloads = Map.copyOf(jwtPayloads);
  }

  /** A request no jwt_authn filter has seen (no verified token). */
  public RbacRequest(
      Optional<String> peerPrincipal,
      InetAddress directRemoteAddress,
      int destinationPort,
      RequestHeaders headers) {
    this(peerPrincipal, directRemoteAddress, destinationPort, headers, Map.of());
  }
}
