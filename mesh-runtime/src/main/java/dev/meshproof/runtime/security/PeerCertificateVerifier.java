package dev.meshproof.runtime.security;

import dev.meshproof.runtime.policy.route.StringMatcher;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Envoy's validation of a peer certificate chain against a {@code CertificateValidationContext}:
 * the chain must lead to one of the trusted roots (the {@code ROOTCA} secret) with every
 * certificate within its validity at {@code now}, and, when SAN matchers are configured ({@code
 * match_typed_subject_alt_names} with {@code san_type: URI}), one of the leaf's URI SANs must match
 * one of them. Time is an input, so the decision is a pure function of its arguments.
 */
public final class PeerCertificateVerifier {
  private final Set<TrustAnchor> anchors;
  private final List<StringMatcher> uriSanMatchers;
  private final List<StringMatcher> anySanMatchers;

  /**
   * @param trustedRoots the roots of the validation context's {@code trusted_ca}
   * @param uriSanMatchers the URI SAN matchers; empty admits any SAN
   */
  public PeerCertificateVerifier(
      List<X509Certificate> trustedRoots, List<StringMatcher> uriSanMatchers) {
    this(trustedRoots, uriSanMatchers, List.of());
  }

  /**
   * @param trustedRoots the roots of the validation context's {@code trusted_ca}
   * @param uriSanMatchers the URI SAN matchers ({@code match_typed_subject_alt_names}, URI)
   * @param anySanMatchers the deprecated {@code match_subject_alt_names} (what istiod writes for a
   *     DestinationRule's {@code subjectAltNames}): each is tried on the DNS, URI, email and IP
   *     SANs, an exact one on a DNS SAN as Envoy's {@code dnsNameMatch} (a wildcard first label in
   *     the certificate matches one label); both empty admit any SAN
   */
  public PeerCertificateVerifier(
      List<X509Certificate> trustedRoots,
      List<StringMatcher> uriSanMatchers,
      List<StringMatcher> anySanMatchers) {
    this.anySanMatchers = List.copyOf(anySanMatchers);
    if (trustedRoots.isEmpty()) {
      throw new IllegalArgumentException("trustedRoots: [] (expected: at least one root)");
    }
    Set<TrustAnchor> set = new HashSet<>();
    trustedRoots.forEach(r -> set.add(new TrustAnchor(r, null)));
    this.anchors = Set.copyOf(set);
    this.uriSanMatchers = List.copyOf(uriSanMatchers);
  }

  public List<StringMatcher> uriSanMatchers() {
    return uriSanMatchers;
  }

  /** The verdict on {@code chain} (leaf first, as presented in the handshake) at {@code now}. */
  public PeerVerdict verify(List<X509Certificate> chain, Instant now) {
    Objects.requireNonNull(now, "now");
    if (chain.isEmpty()) {
      return new PeerVerdict.Rejected(
          PeerVerdict.Reason.NO_CERTIFICATE, "peer did not present a certificate");
    }
    for (X509Certificate certificate : chain) {
      try {
        certificate.checkValidity(Date.from(now));
      } catch (CertificateExpiredException e) {
        return new PeerVerdict.Rejected(
            PeerVerdict.Reason.EXPIRED,
            describe(certificate) + " expired at " + certificate.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        return new PeerVerdict.Rejected(
            PeerVerdict.Reason.NOT_YET_VALID,
            describe(certificate) + " is valid from " + certificate.getNotBefore().toInstant());
      }
    }
    try {
      List<X509Certificate> path = new ArrayList<>(chain);
      // A presented root is not part of the path the validator builds to an anchor.
      path.removeIf(c -> anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c)));
      if (path.isEmpty()) {
        return new PeerVerdict.Rejected(
            PeerVerdict.Reason.UNTRUSTED_ISSUER, "peer presented only a root");
      }
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX").validate(certPath, params);
    } catch (CertPathValidatorException e) {
      return new PeerVerdict.Rejected(
          PeerVerdict.Reason.UNTRUSTED_ISSUER,
          describe(chain.get(0)) + " does not chain to a trusted root: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX validation is required of every JVM", e);
    }
    List<String> uris = uriSans(chain.get(0));
    if (uriSanMatchers.isEmpty() && !anySanMatchers.isEmpty()) {
      return matchAnySan(chain.get(0), uris);
    }
    for (String uri : uris) {
      if (uriSanMatchers.isEmpty() || uriSanMatchers.stream().anyMatch(m -> m.matches(uri))) {
        return new PeerVerdict.Accepted(SpiffeId.parse(uri), uri);
      }
    }
    if (uriSanMatchers.isEmpty()) {
      return new PeerVerdict.Accepted(Optional.empty(), "");
    }
    return new PeerVerdict.Rejected(
        PeerVerdict.Reason.SAN_MISMATCH, "URI SANs " + uris + " match none of " + uriSanMatchers);
  }

  private PeerVerdict matchAnySan(X509Certificate leaf, List<String> uris) {
    List<String> seen = new ArrayList<>();
    try {
      var names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          Object type = name.get(0);
          if (!(name.get(1) instanceof String value)) {
            continue;
          }
          // GeneralName types: 1 email, 2 DNS, 6 URI, 7 IP address (Envoy checks these four).
          if (!(Integer.valueOf(1).equals(type)
              || Integer.valueOf(2).equals(type)
              || Integer.valueOf(6).equals(type)
              || Integer.valueOf(7).equals(type))) {
            continue;
          }
          seen.add(value);
          boolean dns = Integer.valueOf(2).equals(type);
          for (StringMatcher matcher : anySanMatchers) {
            boolean matched =
                dns && matcher instanceof StringMatcher.Exact exact
                    ? dnsNameMatch(exact.expected(), value)
                    : matcher.matches(value);
            if (matched) {
              return new PeerVerdict.Accepted(
                  uris.isEmpty() ? Optional.empty() : SpiffeId.parse(uris.get(0)),
                  uris.isEmpty() ? "" : uris.get(0));
            }
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no readable SAN: nothing can match
    }
    return new PeerVerdict.Rejected(
        PeerVerdict.Reason.SAN_MISMATCH, "SANs " + seen + " match none of " + anySanMatchers);
  }

  /**
   * Envoy's {@code Utility::dnsNameMatch}: equal ignoring case, or the certificate's name starts
   * with {@code *.} and the rest equals what follows the expected name's first label.
   */
  static boolean dnsNameMatch(String expected, String certificateName) {
    String e = expected.toLowerCase(java.util.Locale.ROOT);
    String c = certificateName.toLowerCase(java.util.Locale.ROOT);
    if (e.equals(c)) {
      return true;
    }
    if (c.startsWith("*.")) {
      int dot = e.indexOf('.');
      return dot > 0 && e.substring(dot).equals(c.substring(1));
    }
    return false;
  }

  /** The URI SANs of {@code certificate}, in order. */
  public static List<String> uriSans(X509Certificate certificate) {
    List<String> out = new ArrayList<>();
    try {
      var names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (Integer.valueOf(6).equals(name.get(0))) {
            out.add((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return out;
  }

  private static String describe(X509Certificate certificate) {
    List<String> uris = uriSans(certificate);
    return uris.isEmpty()
        ? "certificate " + certificate.getSubjectX500Principal()
        : "certificate " + uris.get(0);
  }
}
