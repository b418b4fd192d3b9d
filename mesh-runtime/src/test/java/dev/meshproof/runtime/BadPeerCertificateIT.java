package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import dev.meshproof.runtime.security.MeshCa;
import dev.meshproof.runtime.security.MeshSecurity;
import dev.meshproof.runtime.security.SpiffeId;
import dev.meshproof.runtime.security.WorkloadCertificate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A STRICT workload's sidecar refuses a caller certificate it must not trust, on both data planes:
 * one from another root, one for another trust domain (signed by the mesh's own root), and an
 * expired one. The caller's sidecar presents each through a DestinationRule {@code tls: MUTUAL}
 * with the certificate files mounted in it; a certificate the mesh's CA issued for the caller's
 * identity is the positive control (200, its SPIFFE ID in {@code x-forwarded-client-cert}). Each
 * refusal is a 503 to the caller, in the handshake, before the app.
 */
class BadPeerCertificateIT {
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

  private static final String SLEEP_ID = "spiffe://cluster.local/ns/default/sa/sleep";

  private static final String STRICT_AND_MUTUAL =
      """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: default}
      spec:
        mtls: {mode: STRICT}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        trafficPolicy:
          tls:
            mode: MUTUAL
            caCertificates: /etc/certs/root-cert.pem
            clientCertificate: /etc/certs/%1$s.pem
            privateKey: /etc/certs/%1$s-key.pem
      """;

  @ParameterizedTest
  @MethodSource("dataPlanes")
  void aStrictWorkloadRefusesAnotherRootAnotherTrustDomainAndAnExpiredCertificate(
      String dataPlane, @TempDir Path cacerts) throws Exception {
    try (TestApp app = new TestApp("reviews");
        Mesh mesh =
            Mesh.builder()
                .dataPlane(dataPlane(dataPlane))
                .security(MeshSecurity.defaults())
                .start()) {
      MeshCa ca = mesh.certificates().orElseThrow().ca();
      SpiffeId sleep = new SpiffeId("cluster.local", "default", "sleep");
      Instant now = Instant.now();
      ca.writeCacerts(cacerts);
      mount(mesh, "good", ca.issue(sleep, Duration.ofHours(1)));
      mount(
          mesh,
          "other-root",
          MeshCa.selfSigned("cluster.local", Clock.systemUTC()).issue(sleep, Duration.ofHours(1)));
      mount(
          mesh,
          "other-trust-domain",
          MeshCa.fromCacerts(cacerts, "other.local", Clock.systemUTC())
              .issue(new SpiffeId("other.local", "default", "sleep"), Duration.ofHours(1)));
      mount(
          mesh,
          "expired",
          ca.issue(sleep, now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))));
      mesh.mountFile("/etc/certs/root-cert.pem", ca.rootPem());
      mesh.deploy(
          WorkloadSpec.builder("reviews-0")
              .serviceAccount("reviews")
              .serves("reviews", 9080, app.address())
              .build());
      Workload client =
          mesh.deploy(WorkloadSpec.builder("sleep-0").serviceAccount("sleep").build());

      mesh.apply(STRICT_AND_MUTUAL.formatted("good"), "good.yaml");
      mesh.awaitSynced();
      HttpOutcome good = client.http().get("http://reviews:9080/r").join();
      assertThat(good.status()).as(good.body() + good.error()).isEqualTo(200);
      assertThat(good.header("x-seen-xfcc"))
          .hasValueSatisfying(x -> assertThat(x).endsWith("URI=" + SLEEP_ID));
      int served = app.requests();

      for (String bad : new String[] {"other-root", "other-trust-domain", "expired"}) {
        mesh.apply(STRICT_AND_MUTUAL.formatted(bad), bad + ".yaml");
        mesh.awaitSynced();
        HttpOutcome refused = client.http().get("http://reviews:9080/r").join();
        assertThat(refused.status()).as(bad + ": " + refused.body()).isEqualTo(503);
        assertThat(refused.body())
            .as(bad)
            .startsWith("upstream connect error or disconnect/reset before headers.");
        assertThat(app.requests()).as(bad + " reached the app").isEqualTo(served);
      }
    }
  }

  private static void mount(Mesh mesh, String name, WorkloadCertificate certificate) {
    mesh.mountFile("/etc/certs/" + name + ".pem", certificate.certificateChainPem());
    mesh.mountFile("/etc/certs/" + name + "-key.pem", certificate.privateKeyPem());
  }
}
