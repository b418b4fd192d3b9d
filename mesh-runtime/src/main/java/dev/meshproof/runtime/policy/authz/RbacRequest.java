package dev.meshproof.runtime.policy.authz;

import dev.meshproof.runtime.policy.route.RequestHeaders;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What Envoy's RBAC filter reads of one request: the peer's authenticated principal (the URI SAN of
 * the client certificate of a mutual TLS connection; empty on plaintext), the downstream
 * connection's remote address, the port the connection arrived on, and the request's headers
 * ({@code :method}, {@code :authority}, path and the rest).
 */
public record RbacRequest(
    Optional<String> peerPrincipal,
    InetAddress directRemoteAddress,
    int destinationPort,
    RequestHeaders headers) {

  public RbacRequest {
    Objects.requireNonNull(peerPrincipal, "peerPrincipal");
    Objects.requireNonNull(directRemoteAddress, "directRemoteAddress");
    Objects.requireNonNull(headers, "headers");
  }
}
