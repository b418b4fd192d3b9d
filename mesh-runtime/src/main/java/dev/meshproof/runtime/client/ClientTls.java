package dev.meshproof.runtime.client;

import java.util.Objects;
import java.util.Optional;

/**
 * TLS of a client outside the mesh calling an ingress gateway over https: the SNI it sends (empty:
 * the URL's host; {@code ""}: none, as a client addressing an IP does), the CA bundle (PEM) it
 * trusts the gateway's certificate by, and optionally the client certificate chain and key (PEM) it
 * presents to a MUTUAL server. Host names are not verified against the certificate: which server
 * answered is told by the CA its certificate chains to and by the routes it serves.
 */
public record ClientTls(
    Optional<String> sni,
    String caCertificates,
    Optional<String> certificateChain,
    Optional<String> privateKey,
    /**
     * The files the PEM texts were read from, by field ({@code caCertificates}, {@code
     * clientCertificate}, {@code privateKey}), as a scenario file names them; empty when built in
     * Java.
     */
    java.util.Map<String, String> files) {
  public ClientTls {
    Objects.requireNonNull(sni, "sni");
    files = java.util.Map.copyOf(files);
    Objects.requireNonNull(caCertificates, "caCertificates");
    if (certificateChain.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException(
          "tls: a client certificate needs its private key and the other way round (expected:"
              + " both clientCertificate and privateKey, or neither)");
    }
  }

  /** A client with these PEM texts, not read from files. */
  public ClientTls(
      Optional<String> sni,
      String caCertificates,
      Optional<String> certificateChain,
      Optional<String> privateKey) {
    this(sni, caCertificates, certificateChain, privateKey, java.util.Map.of());
  }

  /** A client trusting {@code caCertificates}, without a certificate, sending the URL's host. */
  public static ClientTls trusting(String caCertificates) {
    return new ClientTls(Optional.empty(), caCertificates, Optional.empty(), Optional.empty());
  }
}
