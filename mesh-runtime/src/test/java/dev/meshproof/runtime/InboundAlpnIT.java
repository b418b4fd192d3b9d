package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.security.MeshCa;
import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificate;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inbound mutual TLS chain negotiates ALPN as istiod builds it ({@code authn/utils.go
 * BuildInboundTLS}: {@code util.ALPNHttp}, {@code h2} then {@code http/1.1}) on both data planes:
 * the server's preference wins, and a caller offering none of them (a sidecar's HTTP/1.1 cluster
 * offers only {@code istio-peer-exchange} and {@code istio}) gets no protocol, not a refused
 * handshake. The caller presents a certificate the mesh's CA issued, as a sidecar does.
 */
class InboundAlpnIT {
  static Stream<String> dataPlanes() {
    return Stream.of("embedded", "envoy");
  }

  private static DataPlane dataPlane(String name) {
    if (name.equals("envoy")) {
      assumeTrue(
          EnvoyDataPlane.unavailableReason().isEmpty(),
          () -> EnvoyDataPlane.unavailableReason().orElseThrow());
      return EnvoyDataPlane.create();
    }
    return DataPlane.embedded();
  }

  private static final String STRICT =
      """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: default}
      spec:
        mtls: {mode: STRICT}
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void theInboundTlsChainSelectsH2ThenHttp11AndNothingForOtherOffers(String dataPlane)
      throws Exception {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh =
            Mesh.builder()
                .dataPlane(dataPlane(dataPlane))
                .security(MeshSecurity.defaults())
                .start()) {
      MeshCa ca = mesh.certificates().orElseThrow().ca();
      Workload reviews =
          mesh.deploy(
              WorkloadSpec.builder("reviews-0")
                  .serviceAccount("reviews")
                  .serves("reviews", 9080, app.address())
                  .build());
      mesh.apply(STRICT, "strict.yaml");
      mesh.awaitSynced();
      InetSocketAddress inbound = reviews.sidecar().inboundAddress().orElseThrow();
      SSLContext tls =
          context(
              ca.issue(new SpiffeId("cluster.local", "default", "sleep"), Duration.ofHours(1)),
              ca.root());

      assertThat(negotiate(tls, inbound, List.of("h2", "http/1.1"))).isEqualTo("h2");
      assertThat(negotiate(tls, inbound, List.of("http/1.1", "h2"))).isEqualTo("h2");
      assertThat(negotiate(tls, inbound, List.of("http/1.1"))).isEqualTo("http/1.1");
      assertThat(negotiate(tls, inbound, List.of("istio-peer-exchange", "istio", "h2")))
          .isEqualTo("h2");
      assertThat(negotiate(tls, inbound, List.of("istio-peer-exchange", "istio"))).isEmpty();
    }
  }

  /** The protocol the server selected ({@code ""} for none) after a completed handshake. */
  private static String negotiate(SSLContext tls, InetSocketAddress to, List<String> offered)
      throws Exception {
    try (SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(to.getAddress(), to.getPort())) {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(offered.toArray(String[]::new));
      parameters.setProtocols(new String[] {"TLSv1.2"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      String selected = socket.getApplicationProtocol();
      return selected == null ? "" : selected;
    }
  }

  private static SSLContext context(WorkloadCertificate certificate, X509Certificate root)
      throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "workload",
        certificate.privateKey(),
        new char[0],
        certificate.chain().toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("root", root);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return tls;
  }
}
