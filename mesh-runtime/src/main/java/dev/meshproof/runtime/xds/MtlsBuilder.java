package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationMode;
import dev.meshproof.runtime.policy.authn.PeerAuthenticationPolicy;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificate;
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
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Mutual TLS in one proxy's xDS, as istiod shapes it ({@code cluster_tls.go buildAutoMtlsSettings},
 * {@code ApplyToCommonTLSContext}): the workload certificate and the root as the SDS secrets {@code
 * default} and {@code ROOTCA}, fetched over the same ADS stream; an ISTIO_MUTUAL {@code
 * UpstreamTlsContext} on every cluster whose service is not DISABLE (auto mTLS); the inbound
 * listener's TLS and plaintext filter chains by the workload's PeerAuthentication mode, told apart
 * by the TLS inspector.
 */
final class MtlsBuilder {
  /** istiod's SDS resource names: the workload's certificate and the trusted root. */
  static final String SDS_DEFAULT = "default";

  static final String SDS_ROOT = "ROOTCA";
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private final TranslationInput input;
  private final SecurityInput security;

  MtlsBuilder(TranslationInput input) {
    this.input = input;
    this.security = input.security();
  }

  boolean enabled() {
    return security.enabled();
  }

  /**
   * True when a cluster or listener names an SDS secret: only then does Envoy subscribe to SDS, so
   * only then are the secrets in the snapshot (else the proxy could never be in sync with it).
   */
  static boolean referencesSecrets(
      List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters,
      List<io.envoyproxy.envoy.config.listener.v3.Listener> listeners) {
    return clusters.stream().anyMatch(c -> c.hasTransportSocket())
        || listeners.stream()
            .flatMap(l -> l.getFilterChainsList().stream())
            .anyMatch(c -> c.hasTransportSocket());
  }

  /** The proxy's SDS secrets: {@code default} (its key and chain) and {@code ROOTCA}. */
  List<Secret> secrets() {
    if (!security.enabled() || security.certificate().isEmpty()) {
      return List.of();
    }
    WorkloadCertificate cert = security.certificate().get();
    return List.of(
        Secret.newBuilder()
            .setName(SDS_DEFAULT)
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(inline(cert.certificateChainPem()))
                    .setPrivateKey(inline(cert.privateKeyPem())))
            .build(),
        Secret.newBuilder()
            .setName(SDS_ROOT)
            .setValidationContext(
                CertificateValidationContext.newBuilder().setTrustedCa(inline(security.rootPem())))
            .build());
  }

  /**
   * The mode of the proxy's inbound port, by PeerAuthentication precedence; {@code DISABLE} when
   * the mesh has no CA.
   */
  PeerAuthenticationMode inboundMode(ProxyNode.Inbound inbound) {
    if (!security.enabled()) {
      return PeerAuthenticationMode.DISABLE;
    }
    return PeerAuthenticationPolicy.modeFor(
        security.peerAuthentications(),
        input.proxy().namespace(),
        input.proxy().labels(),
        inbound.servicePort());
  }

  /** The TLS inspector, on an inbound listener that tells TLS from plaintext. */
  static ListenerFilter tlsInspector() {
    return ListenerFilter.newBuilder()
        .setName(TLS_INSPECTOR)
        .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance()))
        .build();
  }

  /**
   * The inbound TLS chain's transport socket: the workload certificate, a client certificate
   * required and verified against {@code ROOTCA}, and any URI SAN of the mesh's trust domain (a
   * deliberate difference: istiod adds the prefix only for configured trust domain aliases, so it
   * admits any identity the root signed).
   */
  TransportSocket downstreamTransportSocket() {
    DownstreamTlsContext context =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                commonTlsContext(
                    List.of(
                        SubjectAltNameMatcher.newBuilder()
                            .setSanType(SubjectAltNameMatcher.SanType.URI)
                            .setMatcher(
                                StringMatcher.newBuilder()
                                    .setPrefix(SpiffeId.trustDomainPrefix(security.trustDomain())))
                            .build())))
            .setRequireClientCertificate(BoolValue.of(true))
            .build();
    return TransportSocket.newBuilder()
        .setName(TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(context))
        .build();
  }

  /**
   * istiod's inbound connection manager options for a sidecar: append the peer's certificate
   * details to {@code x-forwarded-client-cert} with its subject, URI and DNS SANs ({@code
   * buildSidecarInboundHTTPOpts}).
   */
  static HttpConnectionManager.Builder withClientCertDetails(HttpConnectionManager.Builder hcm) {
    return hcm.setForwardClientCertDetails(
            HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD)
        .setSetCurrentClientCertDetails(
            HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                .setSubject(BoolValue.of(true))
                .setDns(true)
                .setUri(true));
  }

  /**
   * The TLS of an outbound cluster: the DestinationRule's {@code tls.mode} (DISABLE: none;
   * ISTIO_MUTUAL: the mesh's mTLS), else auto mTLS: ISTIO_MUTUAL unless the service's namespace or
   * mesh-wide PeerAuthentication is DISABLE, verifying the service's workload identities exactly,
   * with istiod's SNI {@code outbound_.<port>_.<subset>_.<host>}.
   */
  Optional<TransportSocket> upstreamTransportSocket(OutboundCluster cluster) {
    if (!security.enabled()) {
      return Optional.empty();
    }
    List<ServiceInstance> instances = input.services().getOrDefault(cluster.service(), List.of());
    // istiod's cluster_tls.go: a DestinationRule's tls mode wins; only without one does auto mTLS
    // decide (DISABLE: plaintext even to a STRICT workload; ISTIO_MUTUAL: mTLS without auto mTLS).
    Optional<String> mode =
        input
            .destinationRuleFor(cluster.service().host())
            .flatMap(dev.meshproof.runtime.config.DestinationRule::tlsMode);
    if (mode.isPresent()) {
      if (mode.get().equals("DISABLE")) {
        return Optional.empty();
      }
    } else {
      if (!security.autoMtls()) {
        return Optional.empty();
      }
      String namespace =
          instances.isEmpty() ? input.proxy().namespace() : instances.get(0).namespace();
      if (PeerAuthenticationPolicy.serviceModeFor(security.peerAuthentications(), namespace)
          == PeerAuthenticationMode.DISABLE) {
        return Optional.empty();
      }
    }
    TreeSet<String> sans = new TreeSet<>();
    for (ServiceInstance instance : instances) {
      security
          .identityOf(instance.namespace(), instance.workload())
          .ifPresent(id -> sans.add(id.uri()));
    }
    List<SubjectAltNameMatcher> matchers = new ArrayList<>();
    for (String san : sans) {
      matchers.add(
          SubjectAltNameMatcher.newBuilder()
              .setSanType(SubjectAltNameMatcher.SanType.URI)
              .setMatcher(StringMatcher.newBuilder().setExact(san))
              .build());
    }
    UpstreamTlsContext context =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(commonTlsContext(matchers))
            .setSni(
                "outbound_."
                    + cluster.service().port()
                    + "_."
                    + cluster.subset()
                    + "_."
                    + cluster.service().host())
            .build();
    return Optional.of(
        TransportSocket.newBuilder()
            .setName(TLS_TRANSPORT_SOCKET)
            .setTypedConfig(Any.pack(context))
            .build());
  }

  private static CommonTlsContext commonTlsContext(List<SubjectAltNameMatcher> sans) {
    return CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(sdsSecret(SDS_DEFAULT))
        .setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder().addAllMatchTypedSubjectAltNames(sans))
                .setValidationContextSdsSecretConfig(sdsSecret(SDS_ROOT)))
        .build();
  }

  private static SdsSecretConfig sdsSecret(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(XdsProtos.ADS).build();
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineString(pem).build();
  }
}
