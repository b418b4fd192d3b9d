package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.config.Gateway;
import dev.meshproof.runtime.config.KubernetesSecret;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Optional;

/**
 * The TLS a gateway terminates for an HTTPS server, as istiod's {@code BuildListenerTLSContext}
 * (pilot/pkg/networking/core/listener.go, called by gateway.go {@code
 * buildGatewayListenerTLSContext}) builds it, and the Kubernetes Secrets it serves for {@code
 * credentialName} ({@code pilot/pkg/xds/sds.go}, {@code pilot/pkg/credentials/kube/secrets.go}).
 */
final class GatewayTls {
  /** istiod's {@code credentials.KubernetesSecretTypeURI}: the SDS name prefix of a Secret. */
  static final String KUBERNETES = "kubernetes://";

  /** istiod's {@code SdsCaSuffix}: the CA bundle of a credential, {@code <name>-cacert}. */
  static final String CA_SUFFIX = "-cacert";

  /** istiod's {@code util.ALPNHttp}: what an HTTPS server negotiates. */
  static final List<String> ALPN_HTTP = List.of("h2", "http/1.1");

  private final TranslationInput input;

  GatewayTls(TranslationInput input) {
    this.input = input;
  }

  /**
   * The server's {@code DownstreamTlsContext}: ALPN {@code h2}, {@code http/1.1}; a client
   * certificate required for MUTUAL; the certificate as SDS {@code kubernetes://<credentialName>}
   * over ADS ({@code ApplyCredentialSDSToServerCommonTLSContext}) or, from files, {@code
   * file-cert:<cert>~<key>} ({@code ApplyToCommonTLSContext}); for MUTUAL a combined validation
   * context whose {@code match_subject_alt_names} are the server's {@code subjectAltNames} (exact)
   * and whose roots are {@code kubernetes://<credentialName>-cacert} or {@code
   * file-root:<caCertificates>}. A deliberate difference: istiod has the agent serve the {@code
   * file-} secrets over its own SDS socket; here the control plane serves them over ADS, as it does
   * for DestinationRule files.
   */
  TransportSocket downstreamTransportSocket(Gateway.Server server) {
    Gateway.ServerTls tls = server.tls().orElseThrow();
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAllAlpnProtocols(ALPN_HTTP);
    String certificate;
    String roots;
    if (tls.credentialName().isPresent()) {
      certificate = KUBERNETES + tls.credentialName().get();
      roots = certificate + CA_SUFFIX;
    } else {
      certificate =
          MtlsBuilder.FILE_CERT
              + tls.serverCertificate().orElseThrow()
              + "~"
              + tls.privateKey().orElseThrow();
      roots = MtlsBuilder.FILE_ROOT + tls.caCertificates().orElse("");
    }
    common.addTlsCertificateSdsSecretConfigs(sds(certificate));
    if (tls.mutual()) {
      CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
      for (String san : tls.subjectAltNames()) {
        validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
      }
      common.setCombinedValidationContext(
          CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setDefaultValidationContext(validation)
              .setValidationContextSdsSecretConfig(sds(roots)));
    }
    DownstreamTlsContext context =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(common)
            .setRequireClientCertificate(BoolValue.of(tls.mutual()))
            .build();
    return TransportSocket.newBuilder()
        .setName(MtlsBuilder.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(context))
        .build();
  }

  /**
   * The SDS secret {@code name} ({@code kubernetes://<secret>} or {@code
   * kubernetes://<secret>-cacert}) from the Secret of that name in the gateway's namespace, as
   * istiod's SDS generator reads it: a certificate and key ({@link
   * KubernetesSecret#certificateAndKey}) as a {@code tls_certificate}; a CA bundle from {@code
   * <secret>-cacert}, or from {@code <secret>} itself when no such Secret exists ({@code
   * GetCaCert}), as a {@code validation_context}; both inline bytes. Empty when the Secret or its
   * keys are missing: istiod then sends no such secret, and the gateway's chain waits for it.
   */
  Optional<Secret> kubernetesSecret(String name) {
    String secretName = name.substring(KUBERNETES.length());
    String namespace = input.proxy().namespace();
    if (secretName.endsWith(CA_SUFFIX)) {
      Optional<KubernetesSecret> secret =
          find(secretName, namespace)
              .or(
                  () ->
                      find(
                          secretName.substring(0, secretName.length() - CA_SUFFIX.length()),
                          namespace));
      return secret
          .flatMap(KubernetesSecret::caCertificate)
          .map(
              ca ->
                  Secret.newBuilder()
                      .setName(name)
                      .setValidationContext(
                          CertificateValidationContext.newBuilder().setTrustedCa(bytes(ca)))
                      .build());
    }
    return find(secretName, namespace)
        .flatMap(KubernetesSecret::certificateAndKey)
        .map(
            pair ->
                Secret.newBuilder()
                    .setName(name)
                    .setTlsCertificate(
                        TlsCertificate.newBuilder()
                            .setCertificateChain(bytes(pair.getKey()))
                            .setPrivateKey(bytes(pair.getValue())))
                    .build());
  }

  private Optional<KubernetesSecret> find(String name, String namespace) {
    return input.credentials().stream()
        .filter(s -> s.meta().name().equals(name) && s.meta().namespace().equals(namespace))
        .findFirst();
  }

  private static DataSource bytes(String pem) {
    return DataSource.newBuilder()
        .setInlineBytes(com.google.protobuf.ByteString.copyFromUtf8(pem))
        .build();
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(XdsProtos.ADS).build();
  }
}
