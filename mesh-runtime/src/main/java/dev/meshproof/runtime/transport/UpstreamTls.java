package dev.meshproof.runtime.transport;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS toward an upstream host: the client context (certificate, trusted roots, peer SAN checks) and
 * the SNI to send. Connections with different contexts are pooled apart, so a rotated certificate
 * is used by new connections while open ones finish with the old.
 */
public record UpstreamTls(SslContext context, Optional<String> sni) {
  public UpstreamTls {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(sni, "sni");
  }
}
