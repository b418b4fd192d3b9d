package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.proxy.ProxyConfig.SecretConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TlsContextConfig;
import dev.meshproof.runtime.security.PeerCertificateVerifier;
import dev.meshproof.runtime.security.PeerVerdict;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
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
 * <p>The sidecar builds its contexts on every accepted xDS response (an EDS change too), and a
 * context is costly (key and trust managers, a session cache), so a context that presents a
 * certificate is built once per everything it is built from ({@link ContextKey}: the TLS context
 * configuration, the secrets it names, the side, the clock) and reused by later configurations, as
 * Envoy keeps a cluster's or listener's TLS context until its configuration or its SDS secret
 * changes. A rotated certificate or root is another secret, so it gets a new context at once. Only
 * a context with a certificate is reused: the certificate's key is the proxy's own, so no two
 * sidecars share a context (nor its TLS session cache); one without (a DestinationRule's SIMPLE
 * TLS) is built per configuration as before. A reused context lives as long as a configuration or a
 * connection holds it ({@link #BUILT} references it weakly).
 *
 * <p>Versions as Envoy's defaults: a server accepts TLS 1.2 and 1.3, a client offers at most TLS
 * 1.2 ({@code tls_maximum_protocol_version} defaults). The peer's chain is judged by {@link
 * PeerCertificateVerifier} at the sidecar's clock.
 */
final class TlsContexts {
  static final TlsContexts NONE = new TlsContexts(Map.of());

  /**
   * The contexts that present a certificate, by what each was built from, referenced weakly: an
   * entry goes once no configuration or connection holds its context (a rotated certificate, a
   * removed cluster). Guarded by itself.
   */
  private static final Map<ContextKey, BuiltContext> BUILT = new HashMap<>();

  /** Where {@link #BUILT}'s collected contexts are reported, to remove their entries. */
  private static final ReferenceQueue<SslContext> COLLECTED = new ReferenceQueue<>();

  private final Map<TlsContextConfig, SslContext> contexts;

  private TlsContexts(Map<TlsContextConfig, SslContext> contexts) {
    this.contexts = Map.copyOf(contexts);
  }

  /** A context of {@link #BUILT}, referenced weakly, with its key to remove it by. */
  private static final class BuiltContext extends WeakReference<SslContext> {
    final ContextKey key;

    BuiltContext(ContextKey key, SslContext context) {
      super(context, COLLECTED);
      this.key = key;
    }
  }

  /**
   * Everything a context is built from: equal keys build equivalent contexts. The secrets are the
   * decoded SDS secrets the configuration names (absent: none named).
   */
  private record ContextKey(
      TlsContextConfig tls,
      boolean server,
      Optional<SecretConfig> certificate,
      Optional<SecretConfig> roots,
      Clock clock) {}

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
                tls ->
                    context(tls, true, config.secrets(), clock).ifPresent(c -> built.put(tls, c)));
      }
    }
    for (var cluster : config.clusters().values()) {
      cluster
          .tls()
          .ifPresent(
              tls ->
                  context(tls, false, config.secrets(), clock).ifPresent(c -> built.put(tls, c)));
    }
    return new TlsContexts(built);
  }

  /**
   * The context of {@code tls} on one side: the one already built from the same configuration,
   * secrets and clock if it presents a certificate and is still held, else a new one.
   */
  static Optional<SslContext> context(
      TlsContextConfig tls, boolean server, Map<String, SecretConfig> secrets, Clock clock) {
    Optional<SecretConfig> certificate = named(tls.certificateSecret(), secrets);
    if (certificate.isEmpty()) {
      return build(tls, server, secrets, clock);
    }
    ContextKey key =
        new ContextKey(tls, server, certificate, named(tls.validationSecret(), secrets), clock);
    Optional<SslContext> known = built(key);
    if (known.isPresent()) {
      return known;
    }
    Optional<SslContext> context = build(tls, server, secrets, clock);
    if (context.isEmpty()) {
      return context; // its roots have not arrived
    }
    synchronized (BUILT) {
      // Another sidecar thread cannot race here (the key holds this proxy's own key), but a
      // context built meanwhile for the same key wins all the same: one context per key.
      Optional<SslContext> raced = built(key);
      if (raced.isPresent()) {
        return raced;
      }
      BUILT.put(key, new BuiltContext(key, context.get()));
      return context;
    }
  }

  /** The context built for {@code key} if it is still held; drops the collected ones first. */
  private static Optional<SslContext> built(ContextKey key) {
    synchronized (BUILT) {
      for (Reference<? extends SslContext> gone; (gone = COLLECTED.poll()) != null; ) {
        BuiltContext entry = (BuiltContext) gone;
        BUILT.remove(entry.key, entry);
      }
      BuiltContext entry = BUILT.get(key);
      return Optional.ofNullable(entry == null ? null : entry.get());
    }
  }

  private static Optional<SecretConfig> named(String name, Map<String, SecretConfig> secrets) {
    return name.isEmpty() ? Optional.empty() : Optional.ofNullable(secrets.get(name));
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
