package dev.meshproof.runtime.security;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workload's key and certificate chain as istiod's CA signs it: the leaf (SPIFFE URI SAN, no
 * subject, server and client auth), then the intermediates up to but excluding the root, which is
 * distributed apart (the {@code ROOTCA} secret).
 */
public record WorkloadCertificate(
    SpiffeId identity, PrivateKey privateKey, List<X509Certificate> chain) {
  public WorkloadCertificate {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("chain: [] (expected: the leaf first)");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  public Duration ttl() {
    return Duration.between(notBefore(), notAfter());
  }

  /** The chain as PEM, leaf first (Envoy's {@code certificate_chain}). */
  public String certificateChainPem() {
    return Pem.certificates(chain);
  }

  /** The key as PKCS#8 PEM (Envoy's {@code private_key}). */
  public String privateKeyPem() {
    return Pem.privateKey(privateKey);
  }
}
