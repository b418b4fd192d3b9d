package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A DestinationRule's <a
 * href="https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings">
 * ClientTLSSettings</a>: how the client's sidecar speaks TLS to the destination. {@code
 * ISTIO_MUTUAL} uses the mesh's certificates; {@code SIMPLE} and {@code MUTUAL} originate TLS with
 * certificate files mounted in the proxy ({@code caCertificates}, and for MUTUAL {@code
 * clientCertificate} with {@code privateKey}), which istiod turns into the SDS resources {@code
 * file-root:<path>} and {@code file-cert:<cert>~<key>} (its {@code cluster_tls.go
 * constructUpstreamTLS}).
 *
 * @param mode DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL
 * @param caCertificates the trusted roots' file; empty: the system roots ({@code file-root:system})
 * @param clientCertificate the certificate chain file presented in MUTUAL
 * @param privateKey its key file
 * @param sni the SNI sent; empty: none from the rule
 * @param subjectAltNames the names the server's certificate must carry (any SAN type, exact)
 * @param insecureSkipVerify whether the server's certificate is not verified at all
 */
public record ClientTlsSettings(
    String mode,
    Optional<String> caCertificates,
    Optional<String> clientCertificate,
    Optional<String> privateKey,
    Optional<String> sni,
    List<String> subjectAltNames,
    boolean insecureSkipVerify) {

  /** The SDS name of the system's trusted roots, as istio-agent knows it. */
  public static final String SYSTEM_ROOTS = "system";

  public ClientTlsSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(caCertificates, "caCertificates");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(sni, "sni");
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  /** Only a mode, as {@code tls: {mode: ...}}. */
  public static ClientTlsSettings ofMode(String mode) {
    return new ClientTlsSettings(
        mode,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        false);
  }

  /** Whether the rule originates TLS with files of its own (SIMPLE or MUTUAL). */
  public boolean originatesTls() {
    return mode.equals("SIMPLE") || mode.equals("MUTUAL");
  }

  /** istiod's SDS name of the trusted roots: {@code file-root:<caCertificates or system>}. */
  public String rootResourceName() {
    return "file-root:" + caCertificates.orElse(SYSTEM_ROOTS);
  }

  /** istiod's SDS name of the client certificate: {@code file-cert:<cert>~<key>} (MUTUAL). */
  public Optional<String> certificateResourceName() {
    if (!mode.equals("MUTUAL") || clientCertificate.isEmpty() || privateKey.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("file-cert:" + clientCertificate.get() + "~" + privateKey.get());
  }
}
