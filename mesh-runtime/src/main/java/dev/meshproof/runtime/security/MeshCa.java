package dev.meshproof.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The mesh's certificate authority, as istiod's built-in CA: a self-signed root (or the user's own
 * root and intermediate, Istio's plug-in {@code cacerts}) that signs each workload a short-lived
 * certificate whose only name is its SPIFFE URI SAN (<a
 * href="https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/">Plug in CA
 * certificates</a>). Keys are ECDSA P-256 (Istio's default is RSA 2048; a deliberate difference for
 * speed, documented in translation.md). Time comes from the mesh's clock.
 */
public final class MeshCa {
  /** istiod's default workload certificate lifetime ({@code DEFAULT_WORKLOAD_CERT_TTL}, 24 h). */
  public static final Duration DEFAULT_WORKLOAD_TTL = Duration.ofHours(24);

  /** istiod's self-signed root lifetime ({@code CITADEL_SELF_SIGNED_CA_CERT_TTL}, 10 years). */
  static final Duration ROOT_TTL = Duration.ofDays(3650);

  /** Istio's plug-in file names ({@code istio-system/cacerts}). */
  public static final String CA_CERT = "ca-cert.pem";

  public static final String CA_KEY = "ca-key.pem";
  public static final String ROOT_CERT = "root-cert.pem";
  public static final String CERT_CHAIN = "cert-chain.pem";

  /** Certificates may be presented this early: istiod back-dates by 2 minutes for clock skew. */
  static final Duration BACKDATE = Duration.ofMinutes(2);

  private static final SecureRandom SERIALS = new SecureRandom();

  private final String trustDomain;
  private final PrivateKey signingKey;

  /** The signing certificate, then its issuers up to and including the root. */
  private final List<X509Certificate> signingChain;

  private final Clock clock;

  private MeshCa(
      String trustDomain, PrivateKey signingKey, List<X509Certificate> signingChain, Clock clock) {
    this.trustDomain = trustDomain;
    this.signingKey = signingKey;
    this.signingChain = List.copyOf(signingChain);
    this.clock = clock;
  }

  /** A CA with a freshly generated self-signed root ({@code O=<trustDomain>}), as istiod's. */
  public static MeshCa selfSigned(String trustDomain, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    new SpiffeId(trustDomain, "ns", "sa"); // validates the trust domain's syntax
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X500Name name = new X500Name("O=" + trustDomain);
    X509Certificate root =
        sign(
            name,
            keys.getPrivate(),
            null,
            name,
            keys.getPublic(),
            now.minus(BACKDATE),
            now.plus(ROOT_TTL),
            caExtensions());
    return new MeshCa(trustDomain, keys.getPrivate(), List.of(root), clock);
  }

  /**
   * A CA from Istio's plug-in {@code cacerts} directory: {@code ca-cert.pem} and {@code ca-key.pem}
   * sign, {@code cert-chain.pem} is the chain from {@code ca-cert.pem} to the root, {@code
   * root-cert.pem} the root that proxies trust.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it: a missing file, no
   *     certificate or key, a key that is not the certificate's, a chain that does not end at the
   *     root or is not signed link by link, a signing certificate that is not a CA or has expired
   */
  public static MeshCa fromCacerts(Path directory, String trustDomain, Clock clock) {
    List<X509Certificate> caCert =
        Pem.parseCertificates(read(directory, CA_CERT), directory.resolve(CA_CERT).toString());
    PrivateKey key =
        Pem.parsePrivateKey(read(directory, CA_KEY), directory.resolve(CA_KEY).toString());
    List<X509Certificate> root =
        Pem.parseCertificates(read(directory, ROOT_CERT), directory.resolve(ROOT_CERT).toString());
    List<X509Certificate> chain =
        Pem.parseCertificates(
            read(directory, CERT_CHAIN), directory.resolve(CERT_CHAIN).toString());
    X509Certificate signing = caCert.get(0);
    if (!signing.getPublicKey().equals(publicKeyOf(key, signing))) {
      throw new IllegalArgumentException(
          directory.resolve(CA_KEY) + ": is not the key of " + directory.resolve(CA_CERT));
    }
    if (signing.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          directory.resolve(CA_CERT)
              + ": "
              + signing.getSubjectX500Principal()
              + " is not a CA certificate (expected: basicConstraints CA:TRUE)");
    }
    Instant now = clock.instant();
    if (signing.getNotAfter().toInstant().isBefore(now)) {
      throw new IllegalArgumentException(
          directory.resolve(CA_CERT)
              + ": expired at "
              + signing.getNotAfter().toInstant()
              + " (now: "
              + now
              + ")");
    }
    List<X509Certificate> full = new ArrayList<>(chain);
    if (!full.get(0).equals(signing)) {
      full.add(0, signing);
    }
    if (!full.get(full.size() - 1).equals(root.get(0))) {
      full.add(root.get(0));
    }
    for (int i = 0; i + 1 < full.size(); i++) {
      try {
        full.get(i).verify(full.get(i + 1).getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(
            directory.resolve(CERT_CHAIN)
                + ": "
                + full.get(i).getSubjectX500Principal()
                + " is not signed by "
                + full.get(i + 1).getSubjectX500Principal()
                + " (expected: a chain from "
                + CA_CERT
                + " to "
                + ROOT_CERT
                + ")");
      }
    }
    return new MeshCa(trustDomain, key, full, clock);
  }

  private static PublicKey publicKeyOf(PrivateKey key, X509Certificate certificate) {
    // A signature made with the key verifies under the certificate's public key only if they pair.
    try {
      String algorithm =
          key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(key);
      byte[] probe = "meshproof".getBytes(StandardCharsets.UTF_8);
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature) ? certificate.getPublicKey() : null;
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static String read(Path directory, String file) {
    Path path = directory.resolve(file);
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          path
              + ": missing (expected the plug-in files "
              + List.of(CA_CERT, CA_KEY, ROOT_CERT, CERT_CHAIN)
              + ")");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An intermediate CA signed by this one ({@code O=<trustDomain>, CN=<name>}), the shape of a
   * cluster's plug-in {@code cacerts} under a shared root.
   */
  public MeshCa intermediate(String name) {
    KeyPair keys = newKeyPair();
    Instant now = clock.instant();
    X509Certificate cert =
        sign(
            null,
            signingKey,
            signingCertificate(),
            new X500Name("O=" + trustDomain + ",CN=" + name),
            keys.getPublic(),
            now.minus(BACKDATE),
            now.plus(ROOT_TTL),
            caExtensions());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(cert);
    chain.addAll(signingChain);
    return new MeshCa(trustDomain, keys.getPrivate(), chain, clock);
  }

  /** Writes this CA as Istio's four plug-in {@code cacerts} files into {@code directory}. */
  public void writeCacerts(Path directory) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve(CA_CERT), Pem.certificates(List.of(signingCertificate())));
    Files.writeString(directory.resolve(CA_KEY), Pem.privateKey(signingKey));
    Files.writeString(directory.resolve(ROOT_CERT), rootPem());
    Files.writeString(directory.resolve(CERT_CHAIN), Pem.certificates(signingChain));
  }

  public String trustDomain() {
    return trustDomain;
  }

  /** The root every proxy trusts (the {@code ROOTCA} secret). */
  public X509Certificate root() {
    return signingChain.get(signingChain.size() - 1);
  }

  public String rootPem() {
    return Pem.certificates(List.of(root()));
  }

  private X509Certificate signingCertificate() {
    return signingChain.get(0);
  }

  /**
   * Signs a workload certificate for {@code identity}, valid from now (back-dated by istiod's 2
   * minutes) for {@code ttl}.
   *
   * @throws IllegalArgumentException when the identity is of another trust domain or the TTL is not
   *     positive
   */
  public WorkloadCertificate issue(SpiffeId identity, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: a positive duration)");
    }
    Instant now = clock.instant();
    return issue(identity, now.minus(BACKDATE), now.plus(ttl));
  }

  /** Signs {@code identity} for exactly [notBefore, notAfter]; tests make expired ones with it. */
  public WorkloadCertificate issue(SpiffeId identity, Instant notBefore, Instant notAfter) {
    if (!identity.trustDomain().equals(trustDomain)) {
      throw new IllegalArgumentException(
          "identity "
              + identity
              + ": trust domain '"
              + identity.trustDomain()
              + "' is not this CA's (expected: '"
              + trustDomain
              + "')");
    }
    KeyPair keys = newKeyPair();
    try {
      List<org.bouncycastle.asn1.x509.Extension> extensions = new ArrayList<>();
      extensions.add(
          new Extension(
              Extension.basicConstraints, true, new BasicConstraints(false).getEncoded()));
      extensions.add(
          new Extension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment).getEncoded()));
      extensions.add(
          new Extension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      })
                  .getEncoded()));
      // No subject: the SAN is the only name, so it is critical (RFC 5280 4.2.1.6), as istiod's.
      extensions.add(
          new Extension(
              Extension.subjectAlternativeName,
              true,
              new GeneralNames(
                      new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()))
                  .getEncoded()));
      X509Certificate leaf =
          sign(
              null,
              signingKey,
              signingCertificate(),
              new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
              keys.getPublic(),
              notBefore,
              notAfter,
              extensions);
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      // The intermediates, not the root: a proxy trusts the root from ROOTCA.
      chain.addAll(signingChain.subList(0, signingChain.size() - 1));
      return new WorkloadCertificate(identity, keys.getPrivate(), chain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * True once istio-agent would rotate {@code certificate}: at half its lifetime ({@code
   * SECRET_GRACE_PERIOD_RATIO} 0.5).
   */
  public boolean rotationDue(WorkloadCertificate certificate) {
    // Half the lifetime asked for, from issuance: the back-dated notBefore is clock-skew slack,
    // and counting it would make a certificate shorter-lived than the slack due at once.
    Instant issued = certificate.notBefore().plus(BACKDATE);
    Duration half = Duration.between(issued, certificate.notAfter()).dividedBy(2);
    return !clock.instant().isBefore(issued.plus(half));
  }

  private static List<Extension> caExtensions() {
    try {
      return List.of(
          new Extension(Extension.basicConstraints, true, new BasicConstraints(true).getEncoded()),
          new Extension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                  .getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X509Certificate sign(
      X500Name issuerName,
      PrivateKey issuerKey,
      X509Certificate issuer,
      X500Name subject,
      PublicKey subjectKey,
      Instant notBefore,
      Instant notAfter,
      List<Extension> extensions) {
    try {
      BigInteger serial = new BigInteger(127, SERIALS);
      X509v3CertificateBuilder builder =
          issuer != null
              ? new JcaX509v3CertificateBuilder(
                  issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, subjectKey)
              : new JcaX509v3CertificateBuilder(
                  issuerName,
                  serial,
                  Date.from(notBefore),
                  Date.from(notAfter),
                  subject,
                  subjectKey);
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
      if (issuer != null) {
        builder.addExtension(
            Extension.authorityKeyIdentifier,
            false,
            utils.createAuthorityKeyIdentifier(issuer.getPublicKey()));
      }
      for (Extension extension : extensions) {
        builder.addExtension(extension);
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a certificate for " + subject, e);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is required of every JVM", e);
    }
  }
}
