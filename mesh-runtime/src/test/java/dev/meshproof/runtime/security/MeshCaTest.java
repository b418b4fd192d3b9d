package dev.meshproof.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.common.VirtualClock;
import dev.meshproof.runtime.policy.route.StringMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshCaTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final SpiffeId SLEEP = new SpiffeId("cluster.local", "default", "sleep");

  private final VirtualClock virtual = new VirtualClock(START);
  private final java.time.Clock clock = virtual.clock();
  private final MeshCa ca = MeshCa.selfSigned("cluster.local", clock);

  private PeerCertificateVerifier verifier(MeshCa trusted, StringMatcher... sans) {
    return new PeerCertificateVerifier(List.of(trusted.root()), List.of(sans));
  }

  @Test
  void workloadCertificateCarriesOnlyTheSpiffeUriSanAndTheConfiguredTtl() throws Exception {
    WorkloadCertificate cert = ca.issue(SLEEP, Duration.ofHours(1));

    assertThat(PeerCertificateVerifier.uriSans(cert.leaf()))
        .containsExactly("spiffe://cluster.local/ns/default/sa/sleep");
    assertThat(cert.leaf().getSubjectX500Principal().getName()).isEmpty();
    assertThat(cert.leaf().getCriticalExtensionOIDs()).contains("2.5.29.17");
    assertThat(cert.leaf().getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.leaf().getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.notAfter()).isEqualTo(START.plus(Duration.ofHours(1)));
    assertThat(cert.notBefore()).isEqualTo(START.minus(MeshCa.BACKDATE));
    cert.leaf().verify(ca.root().getPublicKey());
    assertThat(cert.chain()).hasSize(1);
  }

  @Test
  void aCertificateOfTheMeshIsAcceptedWithItsIdentity() {
    WorkloadCertificate cert = ca.issue(SLEEP, Duration.ofHours(1));

    PeerVerdict verdict =
        verifier(ca, new StringMatcher.Prefix("spiffe://cluster.local/", false))
            .verify(cert.chain(), clock.instant());

    assertThat(verdict).isInstanceOf(PeerVerdict.Accepted.class);
    assertThat(((PeerVerdict.Accepted) verdict).identity()).contains(SLEEP);
  }

  @Test
  void anExpiredCertificateIsRejectedAsExpired() {
    WorkloadCertificate cert = ca.issue(SLEEP, Duration.ofHours(1));
    virtual.advance(Duration.ofHours(1).plusSeconds(1));

    PeerVerdict verdict = verifier(ca).verify(cert.chain(), clock.instant());

    assertThat(verdict)
        .isInstanceOfSatisfying(
            PeerVerdict.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(PeerVerdict.Reason.EXPIRED));
  }

  @Test
  void aCertificateSignedByAnotherRootIsRejectedAsUntrusted() {
    MeshCa other = MeshCa.selfSigned("cluster.local", clock);
    WorkloadCertificate cert = other.issue(SLEEP, Duration.ofHours(1));

    PeerVerdict verdict = verifier(ca).verify(cert.chain(), clock.instant());

    assertThat(verdict)
        .isInstanceOfSatisfying(
            PeerVerdict.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(PeerVerdict.Reason.UNTRUSTED_ISSUER));
  }

  @Test
  void aCertificateOfAnotherTrustDomainUnderTheSameRootIsRejectedBySan() {
    // Same root, other trust domain: only the SAN matcher keeps it out, as in Envoy.
    MeshCa shared = MeshCa.selfSigned("cluster.local", clock);
    MeshCa foreignIntermediate =
        MeshCa.selfSigned("example.org", clock); // trust domain check happens at issue()
    assertThatThrownBy(
            () ->
                shared.issue(new SpiffeId("example.org", "default", "sleep"), Duration.ofHours(1)))
        .hasMessageContaining(
            "trust domain 'example.org' is not this CA's (expected: 'cluster.local')");
    WorkloadCertificate foreign =
        foreignIntermediate.issue(
            new SpiffeId("example.org", "default", "sleep"), Duration.ofHours(1));

    PeerVerdict verdict =
        new PeerCertificateVerifier(
                List.of(shared.root(), foreignIntermediate.root()),
                List.of(new StringMatcher.Prefix("spiffe://cluster.local/", false)))
            .verify(foreign.chain(), clock.instant());

    assertThat(verdict)
        .isInstanceOfSatisfying(
            PeerVerdict.Rejected.class,
            r -> {
              assertThat(r.reason()).isEqualTo(PeerVerdict.Reason.SAN_MISMATCH);
              assertThat(r.detail()).contains("spiffe://example.org/ns/default/sa/sleep");
            });
  }

  @Test
  void noCertificateIsRejected() {
    assertThat(verifier(ca).verify(List.of(), clock.instant()))
        .isInstanceOfSatisfying(
            PeerVerdict.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(PeerVerdict.Reason.NO_CERTIFICATE));
  }

  @Test
  void rotationIsDueAtHalfTheLifetime() {
    WorkloadCertificate cert = ca.issue(SLEEP, Duration.ofHours(2));
    virtual.advance(Duration.ofHours(1).minusNanos(1));
    assertThat(ca.rotationDue(cert)).isFalse();
    virtual.advance(Duration.ofNanos(1));
    assertThat(ca.rotationDue(cert)).isTrue();
  }

  @Test
  void aCertificateShorterLivedThanTheBackdateIsNotDueAtOnce() {
    WorkloadCertificate cert = ca.issue(SLEEP, Duration.ofSeconds(4));
    assertThat(ca.rotationDue(cert)).isFalse();
    virtual.advance(Duration.ofSeconds(2));
    assertThat(ca.rotationDue(cert)).isTrue();
  }

  @Test
  void pluggedInCacertsWithAnIntermediateSignWorkloadsTheRootTrusts(@TempDir Path dir)
      throws Exception {
    MeshCa root = MeshCa.selfSigned("cluster.local", clock);
    root.intermediate("cluster-1").writeCacerts(dir);

    MeshCa plugged = MeshCa.fromCacerts(dir, "cluster.local", clock);
    WorkloadCertificate cert = plugged.issue(SLEEP, Duration.ofHours(1));

    assertThat(plugged.root()).isEqualTo(root.root());
    assertThat(cert.chain()).hasSize(2);
    assertThat(verifier(root).verify(cert.chain(), clock.instant()).accepted()).isTrue();
    assertThat(verifier(ca).verify(cert.chain(), clock.instant()).accepted()).isFalse();
  }

  @Test
  void cacertsProblemsNameTheFile(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> MeshCa.fromCacerts(dir, "cluster.local", clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ca-cert.pem: missing");

    ca.intermediate("one").writeCacerts(dir);
    Files.writeString(
        dir.resolve(MeshCa.CA_KEY),
        Pem.privateKey(ca.issue(SLEEP, Duration.ofHours(1)).privateKey()));
    assertThatThrownBy(() -> MeshCa.fromCacerts(dir, "cluster.local", clock))
        .hasMessageContaining("ca-key.pem: is not the key of");

    ca.intermediate("two").writeCacerts(dir);
    Files.writeString(
        dir.resolve(MeshCa.ROOT_CERT), MeshCa.selfSigned("cluster.local", clock).rootPem());
    assertThatThrownBy(() -> MeshCa.fromCacerts(dir, "cluster.local", clock))
        .hasMessageContaining("cert-chain.pem")
        .hasMessageContaining("is not signed by");

    Files.writeString(dir.resolve(MeshCa.ROOT_CERT), "not pem");
    assertThatThrownBy(() -> MeshCa.fromCacerts(dir, "cluster.local", clock))
        .hasMessageContaining("root-cert.pem: no PEM certificate found");
  }
}
