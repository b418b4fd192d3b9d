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

  /**
   * The client TLS handler of a new connection to {@code address}, sending the SNI when it is a
   * valid host name: istiod's {@code outbound_.80_._.host} has underscores, which the JDK's TLS
   * server refuses as illegal_parameter, so such a name is not sent (sidecar inbound chains never
   * match on SNI).
   */
  public io.netty.handler.ssl.SslHandler newHandler(
      io.netty.buffer.ByteBufAllocator alloc, java.net.InetSocketAddress address) {
    javax.net.ssl.SSLEngine engine =
        context.newEngine(alloc, address.getHostString(), address.getPort());
    sni.ifPresent(
        name -> {
          try {
            javax.net.ssl.SSLParameters params = engine.getSSLParameters();
            params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(name)));
            engine.setSSLParameters(params);
          } catch (IllegalArgumentException notAHostName) {
            // Not sent, as above.
          }
        });
    return new io.netty.handler.ssl.SslHandler(engine);
  }
}
