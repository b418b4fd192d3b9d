package dev.meshproof.runtime.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.TextFormat;
import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.ConfigStore;
import dev.meshproof.runtime.config.IstioKinds;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.registry.ServiceInstance;
import dev.meshproof.runtime.security.ProxyFiles;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DestinationRule {@code tls} SIMPLE and MUTUAL as istiod's {@code cluster_tls.go
 * constructUpstreamTLS} writes them: files as the SDS secrets {@code file-root:<path>} and {@code
 * file-cert:<cert>~<key>}, {@code match_subject_alt_names} exact, an empty validation context for
 * insecureSkipVerify, ALPN h2 on HTTP/2 clusters; at rule, port and subset level as {@code
 * MergeSubsetTrafficPolicy}; and the webhook's refusals.
 */
class DestinationRuleTlsTranslationTest {
  private static final ProxyNode CLIENT =
      new ProxyNode(
          ProxyIdentity.sidecar(
              "client-0", "default", Map.of("app", "client"), IstioVersion.CURRENT),
          new InetSocketAddress("127.0.0.1", 15001),
          Optional.empty());

  private static final ProxyFiles FILES =
      ProxyFiles.of(
          Map.of(
              "/etc/certs/ca.pem", "CA PEM",
              "/etc/certs/client.pem", "CERT PEM",
              "/etc/certs/client-key.pem", "KEY PEM"));

  private static TranslationInput input(String trafficPolicyAndSubsets) {
    ConfigStore config = new ConfigStore();
    config.apply(
        IstioYamlParser.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: secure}
            spec:
              host: secure
            """
                + trafficPolicyAndSubsets.indent(2),
            "dr.yaml",
            "default"));
    return TranslationInput.builder(CLIENT, IstioVersionProfile.current())
        .destinationRules(config.resources(IstioKinds.DESTINATION_RULE))
        .instances(
            List.of(
                new ServiceInstance(
                    "secure-v1-0",
                    "secure",
                    "default",
                    Map.of("version", "v1"),
                    80,
                    new InetSocketAddress("127.0.0.1", 20001))))
        .files(FILES)
        .build();
  }

  private static String tls(Cluster cluster) throws Exception {
    if (!cluster.hasTransportSocket()) {
      return "";
    }
    return TextFormat.printer()
        .shortDebugString(
            cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class));
  }

  @Test
  void simpleReadsTheRootFromTheMountedFileAndMatchesTheSubjectAltNamesExactly() throws Exception {
    TranslationInput input =
        input(
            """
            trafficPolicy:
              tls:
                mode: SIMPLE
                caCertificates: /etc/certs/ca.pem
                sni: secure.example
                subjectAltNames: [secure.example]
            """);
    List<Cluster> clusters = new ClusterBuilder(input).build();
    assertThat(tls(clusters.get(0)))
        .isEqualTo(
            "common_tls_context { combined_validation_context { default_validation_context {"
                + " match_subject_alt_names { exact: \"secure.example\" } }"
                + " validation_context_sds_secret_config { name: \"file-root:/etc/certs/ca.pem\""
                + " sds_config { ads { } initial_fetch_timeout { } resource_api_version: V3 } } } }"
                + " sni: \"secure.example\"");
    List<Secret> secrets = new MtlsBuilder(input).secrets(clusters, List.of());
    assertThat(secrets).extracting(Secret::getName).containsExactly("file-root:/etc/certs/ca.pem");
    assertThat(secrets.get(0).getValidationContext().getTrustedCa().getInlineString())
        .isEqualTo("CA PEM");
  }

  @Test
  void mutualPresentsTheClientCertificateAndInsecureSkipVerifyVerifiesNothing() throws Exception {
    TranslationInput input =
        input(
            """
            trafficPolicy:
              tls:
                mode: MUTUAL
                clientCertificate: /etc/certs/client.pem
                privateKey: /etc/certs/client-key.pem
                insecureSkipVerify: true
            """);
    List<Cluster> clusters = new ClusterBuilder(input).build();
    assertThat(tls(clusters.get(0)))
        .isEqualTo(
            "common_tls_context { validation_context { } tls_certificate_sds_secret_configs {"
                + " name: \"file-cert:/etc/certs/client.pem~/etc/certs/client-key.pem\""
                + " sds_config { ads { } initial_fetch_timeout { } resource_api_version: V3 } } }");
    Secret cert = new MtlsBuilder(input).secrets(clusters, List.of()).get(0);
    assertThat(cert.getTlsCertificate().getCertificateChain().getInlineString())
        .isEqualTo("CERT PEM");
    assertThat(cert.getTlsCertificate().getPrivateKey().getInlineString()).isEqualTo("KEY PEM");
  }

  @Test
  void portLevelTlsReplacesTheRulesAndASubsetsTlsReplacesThat() throws Exception {
    TranslationInput input =
        input(
            """
            trafficPolicy:
              tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem}
              portLevelSettings:
              - port: {number: 80}
                connectionPool: {tcp: {maxConnections: 10}}
            subsets:
            - name: v1
              labels: {version: v1}
              trafficPolicy:
                tls: {mode: SIMPLE, caCertificates: /etc/certs/ca.pem, sni: v1.example}
            - name: plain
              labels: {version: v1}
            """);
    List<Cluster> clusters = new ClusterBuilder(input).build();
    // The port-level entry for 80 has no tls: it replaces the rule's, so plaintext.
    assertThat(tls(clusters.get(0))).isEmpty();
    assertThat(tls(clusters.get(1))).contains("sni: \"v1.example\"");
    assertThat(tls(clusters.get(2))).isEmpty();
  }

  @Test
  void theWebhooksRefusalsAndCredentialNameAreErrorsAtTheirField() {
    assertThatThrownBy(
            () ->
                input(
                    """
                    trafficPolicy:
                      tls:
                        mode: MUTUAL
                        credentialName: client-secret
                    """))
        .hasMessageContaining(
            "spec.trafficPolicy.tls.credentialName: valid Istio, but Meshproof"
                + " models no Kubernetes secrets")
        .hasMessageContaining(
            "spec.trafficPolicy.tls.clientCertificate: client certificate"
                + " required for mutual tls")
        .hasMessageContaining("spec.trafficPolicy.tls.privateKey: private key required");
    assertThatThrownBy(
            () ->
                input(
                    """
                    trafficPolicy:
                      tls:
                        mode: SIMPLE
                        caCertificates: /etc/certs/ca.pem
                        insecureSkipVerify: true
                    """))
        .hasMessageContaining(
            "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
    assertThatThrownBy(
            () ->
                input(
                    """
                    trafficPolicy:
                      tls:
                        mode: ISTIO_MUTUAL
                        clientCertificate: /etc/certs/client.pem
                    """))
        .hasMessageContaining("not read under mode ISTIO_MUTUAL");
  }
}
