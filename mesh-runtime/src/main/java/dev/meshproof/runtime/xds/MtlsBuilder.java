package dev.meshproof.runtime.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.meshproof.runtime.config.ClientTlsSettings;
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

  /** istio-agent's SDS resource name prefixes for files mounted in the proxy. */
  static final String FILE_ROOT = "file-root:";

  static final String FILE_CERT = "file-cert:";

  /** istiod's {@code util.ALPNInMeshWithMxc}: what an in-mesh mTLS cluster offers. */
  static final List<String> ALPN_IN_MESH = List.of("istio-peer-exchange", "istio");

  /** istiod's {@code util.ALPNInMeshH2WithMxc}: the same for an HTTP/2 (gRPC, http2) cluster. */
  static final List<String> ALPN_IN_MESH_H2 = List.of("istio-peer-exchange", "istio", "h2");

  /**
   * istiod's {@code util.ALPNHttp}: what the inbound HTTP chain's mutual TLS server selects from
   * ({@code authn/utils.go BuildInboundTLS}); never {@code istio}, which would keep HTTP/2 from
   * being negotiated.
   */
  static final List<String> ALPN_HTTP = List.of("h2", "http/1.1");

  /**
   * istiod's {@code util.ALPNDownstreamWithMxc}: the same for an inbound TCP chain (metadata
   * exchange on, {@code DisableMxALPN} off).
   */
  static final List<String> ALPN_DOWNSTREAM_WITH_MXC =
      List.of("istio-peer-exchange", "h2", "http/1.1");

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

  /**
   * The proxy's SDS secrets: {@code default} (its key and chain) and {@code ROOTCA} with the mesh's
   * CA, and the {@code file-root:<path>} / {@code file-cert:<cert>~<key>} secrets {@code clusters}
   * reference, read from the files mounted in the proxy (what istio-agent serves).
   */
  List<Secret> secrets(
      List<io.envoyproxy.envoy.config.cluster.v3.Cluster> clusters,
      List<io.envoyproxy.envoy.config.listener.v3.Listener> listeners) {
    // Only the names a transport socket references: Envoy subscribes to exactly those, so a
    // secret nobody references would keep the proxy from ever being in sync with its snapshot.
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (var cluster : clusters) {
      if (cluster.hasTransportSocket()) {
        referencedSecrets(
            unpack(cluster.getTransportSocket(), UpstreamTlsContext.class, cluster.getName())
                .getCommonTlsContext(),
            names);
      }
    }
    for (var listener : listeners) {
      for (var chain : listener.getFilterChainsList()) {
        if (chain.hasTransportSocket()) {
          referencedSecrets(
              unpack(chain.getTransportSocket(), DownstreamTlsContext.class, listener.getName())
                  .getCommonTlsContext(),
              names);
        }
      }
    }
    List<Secret> out = new ArrayList<>();
    if (security.enabled() && security.certificate().isPresent()) {
      WorkloadCertificate cert = security.certificate().get();
      if (names.contains(SDS_DEFAULT)) {
        out.add(
            Secret.newBuilder()
                .setName(SDS_DEFAULT)
                .setTlsCertificate(
                    TlsCertificate.newBuilder()
                        .setCertificateChain(inline(cert.certificateChainPem()))
                        .setPrivateKey(inline(cert.privateKeyPem())))
                .build());
      }
      if (names.contains(SDS_ROOT)) {
        out.add(
            Secret.newBuilder()
                .setName(SDS_ROOT)
                .setValidationContext(
                    CertificateValidationContext.newBuilder()
                        .setTrustedCa(inline(security.rootPem())))
                .build());
      }
    }
    GatewayTls gatewayTls = new GatewayTls(input);
    for (String name : names) {
      if (name.startsWith(GatewayTls.KUBERNETES)) {
        gatewayTls.kubernetesSecret(name).ifPresent(out::add);
      } else if (name.startsWith(FILE_ROOT)) {
        String path = name.substring(FILE_ROOT.length());
        out.add(
            Secret.newBuilder()
                .setName(name)
                .setValidationContext(
                    CertificateValidationContext.newBuilder().setTrustedCa(inline(file(path))))
                .build());
      } else if (name.startsWith(FILE_CERT)) {
        String[] paths = name.substring(FILE_CERT.length()).split("~", 2);
        out.add(
            Secret.newBuilder()
                .setName(name)
                .setTlsCertificate(
                    TlsCertificate.newBuilder()
                        .setCertificateChain(inline(file(paths[0])))
                        .setPrivateKey(inline(file(paths[1]))))
                .build());
      }
    }
    return out;
  }

  private static void referencedSecrets(CommonTlsContext common, java.util.Set<String> names) {
    common.getTlsCertificateSdsSecretConfigsList().forEach(c -> names.add(c.getName()));
    if (common.hasCombinedValidationContext()) {
      names.add(
          common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName());
    }
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      TransportSocket socket, Class<T> type, String where) {
    try {
      return socket.getTypedConfig().unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          where + ": transport socket is not a " + type.getSimpleName(), e);
    }
  }

  /** The content of a file mounted in the proxy (checked when the rule was applied). */
  private String file(String path) {
    return input
        .files()
        .read(path)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "file " + path + " is no longer mounted in " + input.proxy().id()));
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
   * admits any identity the root signed). ALPN as istiod's {@code BuildInboundTLS} for an HTTP
   * chain: {@link #ALPN_HTTP}.
   */
  TransportSocket downstreamTransportSocket() {
    return downstreamTransportSocket(ALPN_HTTP);
  }

  /**
   * The inbound TLS chain's transport socket with {@code alpn} ({@link #ALPN_HTTP} for an HTTP
   * chain, {@link #ALPN_DOWNSTREAM_WITH_MXC} for a TCP one).
   */
  TransportSocket downstreamTransportSocket(List<String> alpn) {
    DownstreamTlsContext context =
        DownstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                commonTlsContext(
                        List.of(
                            SubjectAltNameMatcher.newBuilder()
                                .setSanType(SubjectAltNameMatcher.SanType.URI)
                                .setMatcher(
                                    StringMatcher.newBuilder()
                                        .setPrefix(
                                            SpiffeId.trustDomainPrefix(security.trustDomain())))
                                .build()))
                    .toBuilder()
                    .addAllAlpnProtocols(alpn))
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
   * The TLS of an outbound cluster, as istiod's {@code cluster_tls.go
   * buildUpstreamClusterTLSContext}: the DestinationRule's {@code tls} for the cluster's subset and
   * port ({@code MergeSubsetTrafficPolicy}: a port-level entry replaces the rule's, a subset's
   * replaces that) decides — DISABLE: none; SIMPLE / MUTUAL: TLS with the rule's files;
   * ISTIO_MUTUAL: the mesh's mTLS — else auto mTLS: ISTIO_MUTUAL unless the service's namespace or
   * mesh-wide PeerAuthentication is DISABLE, verifying the service's workload identities exactly,
   * with istiod's SNI {@code outbound_.<port>_.<subset>_.<host>}.
   */
  Optional<TransportSocket> upstreamTransportSocket(OutboundCluster cluster) {
    Optional<ClientTlsSettings> tls = tlsOf(cluster);
    if (tls.isPresent()) {
      // istiod's cluster_tls.go: a DestinationRule's tls mode wins; only without one does auto
      // mTLS decide (DISABLE: plaintext even to a STRICT workload; ISTIO_MUTUAL: mTLS without
      // auto mTLS).
      switch (tls.get().mode()) {
        case "DISABLE":
          return Optional.empty();
        case "SIMPLE":
        case "MUTUAL":
          return Optional.of(socket(originatedTls(tls.get(), cluster)));
        default:
          if (!security.enabled()) {
            return Optional.empty();
          }
          return Optional.of(socket(istioMutual(cluster, tls)));
      }
    }
    if (!security.enabled() || !security.autoMtls()) {
      return Optional.empty();
    }
    List<ServiceInstance> instances = input.services().getOrDefault(cluster.service(), List.of());
    String namespace =
        instances.isEmpty() ? input.proxy().namespace() : instances.get(0).namespace();
    if (PeerAuthenticationPolicy.serviceModeFor(security.peerAuthentications(), namespace)
        == PeerAuthenticationMode.DISABLE) {
      return Optional.empty();
    }
    return Optional.of(socket(istioMutual(cluster, Optional.empty())));
  }

  /** The DestinationRule {@code tls} that applies to {@code cluster}, if any. */
  private Optional<ClientTlsSettings> tlsOf(OutboundCluster cluster) {
    return input
        .destinationRuleFor(cluster.service().host())
        .flatMap(
            rule ->
                rule.policyFor(
                        cluster.subset().isEmpty()
                            ? Optional.empty()
                            : rule.subset(cluster.subset()),
                        cluster.service().port())
                    .tls());
  }

  /**
   * ISTIO_MUTUAL: the workload certificate, the root, the service's workload identities as URI SANs
   * (or the rule's {@code subjectAltNames}), the rule's SNI or istiod's {@code
   * outbound_.<port>_.<subset>_.<host>}.
   */
  private UpstreamTlsContext istioMutual(OutboundCluster cluster, Optional<ClientTlsSettings> tls) {
    List<ServiceInstance> instances = input.services().getOrDefault(cluster.service(), List.of());
    TreeSet<String> sans = new TreeSet<>();
    if (tls.isPresent() && !tls.get().subjectAltNames().isEmpty()) {
      sans.addAll(tls.get().subjectAltNames());
    } else {
      for (ServiceInstance instance : instances) {
        security
            .identityOf(instance.namespace(), instance.workload())
            .ifPresent(id -> sans.add(id.uri()));
      }
    }
    List<SubjectAltNameMatcher> matchers = new ArrayList<>();
    for (String san : sans) {
      matchers.add(
          SubjectAltNameMatcher.newBuilder()
              .setSanType(SubjectAltNameMatcher.SanType.URI)
              .setMatcher(StringMatcher.newBuilder().setExact(san))
              .build());
    }
    // istiod's ALPN for in-mesh clusters (features.MetadataExchange on, DisableMxALPN off):
    // util.ALPNInMeshWithMxc, and ALPNInMeshH2WithMxc on an HTTP/2 cluster.
    CommonTlsContext.Builder common = commonTlsContext(matchers).toBuilder();
    common.addAllAlpnProtocols(http2(cluster) ? ALPN_IN_MESH_H2 : ALPN_IN_MESH);
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(common)
        .setSni(
            tls.flatMap(ClientTlsSettings::sni)
                .orElse(
                    "outbound_."
                        + cluster.service().port()
                        + "_."
                        + cluster.subset()
                        + "_."
                        + cluster.service().host()))
        .build();
  }

  /**
   * SIMPLE and MUTUAL as istiod's {@code constructUpstreamTLS}: the client certificate (MUTUAL) as
   * the SDS secret {@code file-cert:<cert>~<key>}; the trusted roots as {@code
   * file-root:<caCertificates>} ({@code file-root:system} without) in a combined validation context
   * whose {@code match_subject_alt_names} are the rule's {@code subjectAltNames} (exact, any SAN
   * type), or an empty {@code validation_context} (nothing verified) with {@code
   * insecureSkipVerify}; ALPN {@code h2} on an HTTP/2 cluster; the rule's {@code sni}. istiod's
   * {@code auto_sni} / {@code auto_san_validation} (set when the rule has no {@code sni}) are not
   * emitted yet: without {@code sni} nothing is sent and only the roots are checked.
   */
  private UpstreamTlsContext originatedTls(ClientTlsSettings tls, OutboundCluster cluster) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    tls.certificateResourceName()
        .ifPresent(name -> common.addTlsCertificateSdsSecretConfigs(sdsSecret(name)));
    if (tls.insecureSkipVerify()) {
      common.setValidationContext(CertificateValidationContext.getDefaultInstance());
    } else {
      CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
      for (String san : tls.subjectAltNames()) {
        validation.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
      }
      common.setCombinedValidationContext(
          CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
              .setDefaultValidationContext(validation)
              .setValidationContextSdsSecretConfig(sdsSecret(tls.rootResourceName())));
    }
    if (http2(cluster)) {
      common.addAlpnProtocols("h2");
    }
    UpstreamTlsContext.Builder context =
        UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    tls.sni().ifPresent(context::setSni);
    return context.build();
  }

  /** Whether the cluster speaks HTTP/2 upstream (istiod's {@code isHttp2Cluster}). */
  private boolean http2(OutboundCluster cluster) {
    return input.instances().stream()
        .filter(
            i ->
                i.hostname().equals(cluster.service().host())
                    && i.servicePort() == cluster.service().port())
        .map(ServiceInstance::protocol)
        .findFirst()
        .map(p -> p.isHttp2())
        .orElse(false);
  }

  private static TransportSocket socket(UpstreamTlsContext context) {
    return TransportSocket.newBuilder()
        .setName(TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(context))
        .build();
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
