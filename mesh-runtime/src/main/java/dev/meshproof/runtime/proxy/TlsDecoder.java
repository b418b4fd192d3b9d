package dev.meshproof.runtime.proxy;

import dev.meshproof.runtime.policy.route.StringMatcher;
import dev.meshproof.runtime.proxy.ProxyConfig.ClientCertConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.SecretConfig;
import dev.meshproof.runtime.proxy.ProxyConfig.TlsContextConfig;
import dev.meshproof.runtime.security.Pem;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes what mutual TLS puts in xDS — TLS transport sockets with SDS secret references, the TLS
 * inspector, the connection manager's client certificate options and SDS secrets — NACKing every
 * field the embedded sidecar does not honour (certificates from files, OCSP, CRLs, SPKI or hash
 * pinning, TLS parameters, ALPN, session tickets, SAN types other than URI, ...).
 */
final class TlsDecoder {
  static final String TLS_SOCKET = "envoy.transport_sockets.tls";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  private static final String DOWNSTREAM_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
  private static final String UPSTREAM_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  private static final String INSPECTOR_TYPE =
      "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";

  private TlsDecoder() {}

  /** True when the listener filters are exactly the TLS inspector; empty is false. */
  static boolean listenerFilters(List<ListenerFilter> filters, String where) {
    if (filters.isEmpty()) {
      return false;
    }
    if (filters.size() != 1) {
      throw new IllegalArgumentException(
          where + ": listener_filters other than one " + TLS_INSPECTOR + " are not supported");
    }
    ListenerFilter filter = filters.get(0);
    String at = where + ", listener_filters[0] '" + filter.getName() + "'";
    if (!filter.getTypedConfig().getTypeUrl().equals(INSPECTOR_TYPE)) {
      throw new IllegalArgumentException(
          at
              + " of type "
              + filter.getTypedConfig().getTypeUrl()
              + " is not supported by the embedded sidecar (expected: "
              + INSPECTOR_TYPE
              + ")");
    }
    XdsDecoder.rejectUnsupported(filter.toBuilder().clearName().clearTypedConfig(), at);
    XdsDecoder.rejectUnsupported(
        XdsDecoder.unpack(filter.getTypedConfig(), TlsInspector.class, at).toBuilder(), at);
    return true;
  }

  /** A filter chain's transport socket: empty for none or raw_buffer, else a downstream TLS. */
  static Optional<TlsContextConfig> downstream(
      TransportSocket socket, boolean present, String where) {
    if (!present) {
      return Optional.empty();
    }
    String at = where + ", transport_socket '" + socket.getName() + "'";
    if (!socket.getTypedConfig().getTypeUrl().equals(DOWNSTREAM_TYPE)) {
      throw new IllegalArgumentException(
          at
              + " of type "
              + socket.getTypedConfig().getTypeUrl()
              + " is not supported by the embedded sidecar (expected: "
              + DOWNSTREAM_TYPE
              + ")");
    }
    XdsDecoder.rejectUnsupported(socket.toBuilder().clearName().clearTypedConfig(), at);
    DownstreamTlsContext context =
        XdsDecoder.unpack(socket.getTypedConfig(), DownstreamTlsContext.class, at);
    XdsDecoder.rejectUnsupported(
        context.toBuilder().clearCommonTlsContext().clearRequireClientCertificate(), at);
    boolean requireClientCertificate = context.getRequireClientCertificate().getValue();
    TlsContextConfig common = common(context.getCommonTlsContext(), at, false);
    if (requireClientCertificate && common.validationSecret().isEmpty()) {
      // Envoy refuses this too: a required client certificate needs something to verify it.
      throw new IllegalArgumentException(
          at
              + ": require_client_certificate without a validation context (expected: trusted roots)");
    }
    return Optional.of(
        new TlsContextConfig(
            common.certificateSecret(),
            common.validationSecret(),
            common.uriSanMatchers(),
            Optional.empty(),
            requireClientCertificate,
            common.anySanMatchers(),
            common.alpnProtocols()));
  }

  /** A cluster's transport socket: empty for none, else an upstream TLS context. */
  static Optional<TlsContextConfig> upstream(
      TransportSocket socket, boolean present, String where) {
    if (!present) {
      return Optional.empty();
    }
    String at = where + ", transport_socket '" + socket.getName() + "'";
    if (!socket.getTypedConfig().getTypeUrl().equals(UPSTREAM_TYPE)) {
      throw new IllegalArgumentException(
          at
              + " of type "
              + socket.getTypedConfig().getTypeUrl()
              + " is not supported by the embedded sidecar (expected: "
              + UPSTREAM_TYPE
              + ")");
    }
    XdsDecoder.rejectUnsupported(socket.toBuilder().clearName().clearTypedConfig(), at);
    UpstreamTlsContext context =
        XdsDecoder.unpack(socket.getTypedConfig(), UpstreamTlsContext.class, at);
    XdsDecoder.rejectUnsupported(context.toBuilder().clearCommonTlsContext().clearSni(), at);
    TlsContextConfig common = common(context.getCommonTlsContext(), at, true);
    return Optional.of(
        new TlsContextConfig(
            common.certificateSecret(),
            common.validationSecret(),
            common.uriSanMatchers(),
            context.getSni().isEmpty() ? Optional.empty() : Optional.of(context.getSni()),
            false,
            common.anySanMatchers(),
            common.alpnProtocols()));
  }

  /**
   * The common context as istiod writes it: for ISTIO_MUTUAL one certificate by SDS over ADS, a
   * combined validation context of URI SAN matchers and the root by SDS over ADS; upstream also as
   * for a DestinationRule's SIMPLE / MUTUAL: no certificate (SIMPLE), {@code
   * match_subject_alt_names} exact, an empty {@code validation_context} (insecureSkipVerify,
   * nothing verified), and {@code alpn_protocols}.
   */
  private static TlsContextConfig common(CommonTlsContext common, String where, boolean upstream) {
    String at = where + ", common_tls_context";
    CommonTlsContext.Builder rest =
        common.toBuilder()
            .clearTlsCertificateSdsSecretConfigs()
            .clearCombinedValidationContext()
            .clearAlpnProtocols();
    if (upstream) {
      if (common.hasValidationContext()
          && common
              .getValidationContext()
              .equals(CertificateValidationContext.getDefaultInstance())) {
        rest.clearValidationContext();
      }
    }
    XdsDecoder.rejectUnsupported(rest, at);
    int certificates = common.getTlsCertificateSdsSecretConfigsCount();
    if (certificates > 1 || (certificates == 0 && !upstream)) {
      throw new IllegalArgumentException(
          at
              + ": "
              + certificates
              + " tls_certificate_sds_secret_configs (expected: "
              + (upstream ? "at most one" : "exactly one")
              + ")");
    }
    String certificate =
        certificates == 0
            ? ""
            : sdsName(common.getTlsCertificateSdsSecretConfigs(0), at + ", tls_certificate_sds");
    List<String> alpn = List.copyOf(common.getAlpnProtocolsList());
    if (upstream && common.hasValidationContext()) {
      // An empty validation_context: Envoy verifies nothing (istiod's insecureSkipVerify).
      return new TlsContextConfig(
          certificate, "", List.of(), Optional.empty(), false, List.of(), alpn);
    }
    if (!upstream && !common.hasCombinedValidationContext()) {
      // A server without a validation context requests no client certificate (a gateway's SIMPLE).
      return new TlsContextConfig(
          certificate, "", List.of(), Optional.empty(), false, List.of(), alpn);
    }
    if (!common.hasCombinedValidationContext()) {
      throw new IllegalArgumentException(
          at + ": no combined_validation_context (the embedded sidecar always verifies its peer)");
    }
    var combined = common.getCombinedValidationContext();
    XdsDecoder.rejectUnsupported(
        combined.toBuilder()
            .clearDefaultValidationContext()
            .clearValidationContextSdsSecretConfig(),
        at + ", combined_validation_context");
    String root =
        sdsName(
            combined.getValidationContextSdsSecretConfig(),
            at + ", validation_context_sds_secret_config");
    CertificateValidationContext validation = combined.getDefaultValidationContext();
    CertificateValidationContext.Builder unread =
        validation.toBuilder().clearMatchTypedSubjectAltNames().clearMatchSubjectAltNames();
    XdsDecoder.rejectUnsupported(unread, at + ", default_validation_context");
    List<StringMatcher> sans = new ArrayList<>();
    for (int i = 0; i < validation.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher matcher = validation.getMatchTypedSubjectAltNames(i);
      String san = at + ", match_typed_subject_alt_names[" + i + "]";
      if (matcher.getSanType() != SubjectAltNameMatcher.SanType.URI) {
        throw new IllegalArgumentException(
            san + ": san_type " + matcher.getSanType() + " is not supported (expected: URI)");
      }
      XdsDecoder.rejectUnsupported(matcher.toBuilder().clearSanType().clearMatcher(), san);
      sans.add(stringMatcher(matcher.getMatcher(), san));
    }
    List<StringMatcher> anySans = new ArrayList<>();
    for (int i = 0; i < validation.getMatchSubjectAltNamesCount(); i++) {
      anySans.add(
          stringMatcher(
              validation.getMatchSubjectAltNames(i), at + ", match_subject_alt_names[" + i + "]"));
    }
    if (!sans.isEmpty() && !anySans.isEmpty()) {
      throw new IllegalArgumentException(
          at
              + ": both match_typed_subject_alt_names and match_subject_alt_names (Envoy reads only"
              + " the typed ones; expected: one of them)");
    }
    return new TlsContextConfig(certificate, root, sans, Optional.empty(), false, anySans, alpn);
  }

  private static StringMatcher stringMatcher(
      io.envoyproxy.envoy.type.matcher.v3.StringMatcher m, String where) {
    XdsDecoder.rejectUnsupported(m.toBuilder().clearExact().clearPrefix(), where);
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new StringMatcher.Exact(m.getExact(), false);
      case PREFIX -> new StringMatcher.Prefix(m.getPrefix(), false);
      default ->
          throw new IllegalArgumentException(
              where
                  + ": "
                  + m.getMatchPatternCase()
                  + " is not supported (expected: exact or prefix)");
    };
  }

  private static String sdsName(SdsSecretConfig sds, String where) {
    XdsDecoder.rejectUnsupported(sds.toBuilder().clearName().clearSdsConfig(), where);
    ConfigSource source = sds.getSdsConfig();
    if (!source.hasAds()) {
      throw new IllegalArgumentException(
          where + ": sds_config other than ads is not supported by the embedded sidecar");
    }
    // initial_fetch_timeout 0s (what the translation sets on every ADS source) waits for the
    // secret indefinitely, which the sidecar does: a TLS context without its secrets is not built
    // and nothing falls back to plaintext. A finite timeout would serve without them after it.
    if (source.hasInitialFetchTimeout()
        && !source
            .getInitialFetchTimeout()
            .equals(com.google.protobuf.Duration.getDefaultInstance())) {
      throw new IllegalArgumentException(
          where
              + ", sds_config: initial_fetch_timeout "
              + XdsDecoder.duration(source.getInitialFetchTimeout())
              + " is not supported by the embedded sidecar (expected: 0s, wait indefinitely)");
    }
    XdsDecoder.rejectUnsupported(
        source.toBuilder().clearAds().clearResourceApiVersion().clearInitialFetchTimeout(),
        where + ", sds_config");
    if (sds.getName().isEmpty()) {
      throw new IllegalArgumentException(where + ": name is empty (expected: a secret name)");
    }
    return sds.getName();
  }

  /** The connection manager's client certificate options. */
  static ClientCertConfig clientCert(HttpConnectionManager hcm, String where) {
    ClientCertConfig.Forward forward =
        switch (hcm.getForwardClientCertDetails()) {
          case SANITIZE -> ClientCertConfig.Forward.SANITIZE;
          case FORWARD_ONLY -> ClientCertConfig.Forward.FORWARD_ONLY;
          case APPEND_FORWARD -> ClientCertConfig.Forward.APPEND_FORWARD;
          case SANITIZE_SET -> ClientCertConfig.Forward.SANITIZE_SET;
          case ALWAYS_FORWARD_ONLY -> ClientCertConfig.Forward.ALWAYS_FORWARD_ONLY;
          default ->
              throw new IllegalArgumentException(
                  where + ": forward_client_cert_details " + hcm.getForwardClientCertDetails());
        };
    var details = hcm.getSetCurrentClientCertDetails();
    XdsDecoder.rejectUnsupported(
        details.toBuilder().clearSubject().clearUri().clearDns().clearCert(),
        where + ", set_current_client_cert_details");
    return new ClientCertConfig(
        forward,
        details.getSubject().getValue(),
        details.getUri(),
        details.getDns(),
        details.getCert());
  }

  /** An SDS secret: a certificate with its key, or a validation context's trusted CA. */
  static SecretConfig secret(Secret secret) {
    String where = "secret " + secret.getName();
    if (secret.hasTlsCertificate()) {
      var cert = secret.getTlsCertificate();
      XdsDecoder.rejectUnsupported(
          cert.toBuilder().clearCertificateChain().clearPrivateKey(), where + ", tls_certificate");
      return new SecretConfig.TlsCertificate(
          Pem.parsePrivateKey(inline(cert.getPrivateKey(), where + ", private_key"), where),
          Pem.parseCertificates(
              inline(cert.getCertificateChain(), where + ", certificate_chain"), where));
    }
    if (secret.hasValidationContext()) {
      var validation = secret.getValidationContext();
      XdsDecoder.rejectUnsupported(
          validation.toBuilder().clearTrustedCa(), where + ", validation_context");
      return new SecretConfig.ValidationContext(
          Pem.parseCertificates(
              inline(validation.getTrustedCa(), where + ", trusted_ca"), where + ", trusted_ca"));
    }
    throw new IllegalArgumentException(
        where
            + ": "
            + secret.getTypeCase()
            + " is not supported (expected: tls_certificate or"
            + " validation_context)");
  }

  private static String inline(DataSource source, String where) {
    if (source.getSpecifierCase() == DataSource.SpecifierCase.INLINE_BYTES) {
      // istiod's SDS generator sends a Kubernetes Secret's content as bytes.
      return source.getInlineBytes().toStringUtf8();
    }
    if (source.getSpecifierCase() != DataSource.SpecifierCase.INLINE_STRING) {
      throw new IllegalArgumentException(
          where
              + ": "
              + source.getSpecifierCase()
              + " is not supported by the embedded sidecar (expected: inline_string or"
              + " inline_bytes)");
    }
    return source.getInlineString();
  }
}
