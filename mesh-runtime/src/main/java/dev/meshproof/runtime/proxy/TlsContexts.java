package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.proxy.ProxyConfig.SecretConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TlsContextConfig;
import dev.meshproof.runtime.security.PeerCertificateVerifier;
import dev.meshproof.runtime.security.PeerVerdict;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS contexts of one configuration: a Netty {@link SslContext} per decoded TLS context, built
 * from the SDS secrets it names. A context whose secrets have not arrived is absent (Envoy keeps
 * such a listener or cluster warming); the sidecar refuses a connection that needs it rather than
 * fall back to plaintext. A new configuration (a rotated certificate) gets new contexts; open
 * connections keep the context they were made with.
 *
 * <p>Versions as Envoy's defaults: a server accepts TLS 1.2 and 1.3, a client offers at most TLS
 * 1.2 ({@code tls_maximum_protocol_version} defaults). The peer's chain is judged by {@link
 * PeerCertificateVerifier} at the sidecar's clock.
 */
final class TlsContexts {
  static final TlsContexts NONE = new TlsContexts(Map.of());

  private final Map<TlsContextConfig, SslContext> contexts;

  private TlsContexts(Map<TlsContextConfig, SslContext> contexts) {
    this.contexts = Map.copyOf(contexts);
  }

  /**
   * Builds every TLS context of {@code config} whose secrets are present.
   *
   * @throws IllegalArgumentException when a secret of the wrong kind is named (NACK)
   */
  static TlsContexts of(ProxyConfig config, Clock clock) {
    Map<TlsContextConfig, SslContext> built = new HashMap<>();
    for (var listener : config.listeners().values()) {
      for (var chain : listener.filterChains()) {
        chain
            .tls()
            .ifPresent(
                tls -> build(tls, true, config.secrets(), clock).ifPresent(c -> built.put(tls, c)));
      }
    }
    for (var cluster : config.clusters().values()) {
      cluster
          .tls()
          .ifPresent(
              tls -> build(tls, false, config.secrets(), clock).ifPresent(c -> built.put(tls, c)));
    }
    return new TlsContexts(built);
  }

  /** The context of {@code tls}; empty while its secrets have not arrived. */
  Optional<SslContext> context(TlsContextConfig tls) {
    return Optional.ofNullable(contexts.get(tls));
  }

  private static Optional<SslContext> build(
      TlsContextConfig tls, boolean server, Map<String, SecretConfig> secrets, Clock clock) {
    // An empty name: no certificate presented (SIMPLE) / nothing verified (insecureSkipVerify).
    SecretConfig certificate =
        tls.certificateSecret().isEmpty() ? null : secrets.get(tls.certificateSecret());
    SecretConfig roots =
        tls.validationSecret().isEmpty() ? null : secrets.get(tls.validationSecret());
    if ((certificate == null && !tls.certificateSecret().isEmpty())
        || (roots == null && !tls.validationSecret().isEmpty())) {
      return Optional.empty();
    }
    if (certificate != null && !(certificate instanceof SecretConfig.TlsCertificate)) {
      throw new IllegalArgumentException(
          "secret " + tls.certificateSecret() + " is not a tls_certificate");
    }
    if (roots != null && !(roots instanceof SecretConfig.ValidationContext)) {
      throw new IllegalArgumentException(
          "secret " + tls.validationSecret() + " is not a validation_context");
    }
    javax.net.ssl.TrustManager trust =
        roots == null
            ? io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]
            : new VerifyingTrustManager(
                new PeerCertificateVerifier(
                    ((SecretConfig.ValidationContext) roots).trustedCa(),
                    tls.uriSanMatchers(),
                    tls.anySanMatchers()),
                clock);
    try {
      SslContextBuilder builder;
      if (server) {
        SecretConfig.TlsCertificate cert = (SecretConfig.TlsCertificate) certificate;
        builder =
            SslContextBuilder.forServer(
                    cert.privateKey(), cert.chain().toArray(X509Certificate[]::new))
                .clientAuth(
                    tls.requireClientCertificate()
                        ? ClientAuth.REQUIRE
                        // Envoy asks for a client certificate only with a validation context.
                        : roots == null ? ClientAuth.NONE : ClientAuth.OPTIONAL)
                .protocols("TLSv1.3", "TLSv1.2");
        if (!tls.alpnProtocols().isEmpty()) {
          // The server's preference wins and no common protocol is no ALPN, not an alert, as
          // Envoy's BoringSSL select callback (SSL_select_next_proto over the server's list).
          builder.applicationProtocolConfig(
              new io.netty.handler.ssl.ApplicationProtocolConfig(
                  io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                  io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior
                      .NO_ADVERTISE,
                  io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior
                      .ACCEPT,
                  tls.alpnProtocols()));
        }
      } else {
        builder =
            SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm(null)
                .protocols("TLSv1.2");
        if (certificate instanceof SecretConfig.TlsCertificate cert) {
          builder.keyManager(cert.privateKey(), cert.chain().toArray(X509Certificate[]::new));
        }
        if (!tls.alpnProtocols().isEmpty()) {
          // Offered, as Envoy does; a server choosing none (or not speaking ALPN) is accepted.
          builder.applicationProtocolConfig(
              new io.netty.handler.ssl.ApplicationProtocolConfig(
                  io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                  io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior
                      .NO_ADVERTISE,
                  io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior
                      .ACCEPT,
                  tls.alpnProtocols()));
        }
      }
      return Optional.of(builder.sslProvider(SslProvider.JDK).trustManager(trust).build());
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "TLS context with secrets "
              + tls.certificateSecret()
              + "/"
              + tls.validationSecret()
              + " cannot be built: "
              + e.getMessage(),
          e);
    }
  }

  /** Envoy's certificate validator over the JDK's trust manager interface. */
  private static final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final PeerCertificateVerifier verifier;
    private final Clock clock;

    VerifyingTrustManager(PeerCertificateVerifier verifier, Clock clock) {
      this.verifier = verifier;
      this.clock = clock;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      PeerVerdict verdict = verifier.verify(List.of(chain), clock.instant());
      if (verdict instanceof PeerVerdict.Rejected rejected) {
        throw new PeerCertificateRejected(rejected);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** A handshake refused by the validator, with its verdict (the reason a caller was refused). */
  static final class PeerCertificateRejected extends CertificateException {
    private final transient PeerVerdict.Rejected verdict;

    PeerCertificateRejected(PeerVerdict.Rejected verdict) {
      super(verdict.reason() + ": " + verdict.detail());
      this.verdict = verdict;
    }

    PeerVerdict.Rejected verdict() {
      return verdict;
    }
  }
}
