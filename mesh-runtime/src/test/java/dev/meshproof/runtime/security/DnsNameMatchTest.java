package dev.meshproof.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Envoy's {@code dnsNameMatch} as the verifier applies it to a DestinationRule's {@code
 * subjectAltNames} against a certificate's DNS SANs: case-insensitive equality, and a wildcard
 * first label in the certificate matching exactly one label.
 */
class DnsNameMatchTest {
  @Test
  void equalNamesMatchIgnoringCase() {
    assertThat(PeerCertificateVerifier.dnsNameMatch("Secure.Example", "secure.example")).isTrue();
    assertThat(PeerCertificateVerifier.dnsNameMatch("secure.example", "other.example")).isFalse();
  }

  @Test
  void aWildcardInTheCertificateMatchesOneLabelOnly() {
    assertThat(PeerCertificateVerifier.dnsNameMatch("a.secure.example", "*.secure.example"))
        .isTrue();
    assertThat(PeerCertificateVerifier.dnsNameMatch("a.b.secure.example", "*.secure.example"))
        .isFalse();
    assertThat(PeerCertificateVerifier.dnsNameMatch("secure.example", "*.secure.example"))
        .isFalse();
    // A wildcard written in the rule is no pattern: only the certificate's counts.
    assertThat(PeerCertificateVerifier.dnsNameMatch("*.secure.example", "a.secure.example"))
        .isFalse();
  }
}
