package dev.meshproof.fake.http;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * TLS terminated by the echo itself, as an app that serves HTTPS with its own certificate (what a
 * DestinationRule's {@code tls} SIMPLE or MUTUAL originates to): the certificate chain and its key
 * (PEM, the key PKCS#8), and for mutual TLS the roots a client certificate must chain to. TLS 1.2
 * and 1.3, no ALPN.
 *
 * @param certificateChainPem the server's certificate, leaf first
 * @param privateKeyPem its PKCS#8 key
 * @param clientCaPem when present, a client certificate signed by one of these roots is required
 */
public record ServerTls(
    String certificateChainPem, String privateKeyPem, Optional<String> clientCaPem) {
  public ServerTls {
    Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(clientCaPem, "clientCaPem");
  }

  /** The Netty server context. */
  public SslContext sslContext() {
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(stream(certificateChainPem), stream(privateKeyPem))
              .sslProvider(SslProvider.JDK)
              .protocols("TLSv1.3", "TLSv1.2");
      if (clientCaPem.isPresent()) {
        builder.trustManager(stream(clientCaPem.get())).clientAuth(ClientAuth.REQUIRE);
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "tls: the certificate, key or client roots cannot be used: " + e.getMessage(), e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8));
  }
}
