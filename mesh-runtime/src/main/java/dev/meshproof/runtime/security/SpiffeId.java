package dev.meshproof.runtime.security;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A workload's identity as Istio names it: the URI SAN {@code
 * spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>} of its certificate (<a
 * href="https://istio.io/latest/docs/concepts/security/#istio-identity">Istio identity</a>).
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {
  /** Istio's default trust domain (MeshConfig {@code trustDomain}). */
  public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  static final String SCHEME_PREFIX = "spiffe://";
  private static final Pattern URI = Pattern.compile("spiffe://([^/]+)/ns/([^/]+)/sa/([^/]+)");

  public SpiffeId {
    requireSegment("trustDomain", trustDomain);
    requireSegment("namespace", namespace);
    requireSegment("serviceAccount", serviceAccount);
  }

  private static void requireSegment(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isEmpty() || value.contains("/")) {
      throw new IllegalArgumentException(
          field + ": '" + value + "' (expected: a non-empty name without '/')");
    }
  }

  /** The identity a URI SAN names, or empty when it is not an Istio SPIFFE id. */
  public static Optional<SpiffeId> parse(String uri) {
    Matcher m = URI.matcher(uri);
    return m.matches()
        ? Optional.of(new SpiffeId(m.group(1), m.group(2), m.group(3)))
        : Optional.empty();
  }

  /** The URI SAN, e.g. {@code spiffe://cluster.local/ns/default/sa/sleep}. */
  public String uri() {
    return SCHEME_PREFIX + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** The prefix every identity of {@code trustDomain} starts with, as istiod's SAN prefix match. */
  public static String trustDomainPrefix(String trustDomain) {
    return SCHEME_PREFIX + trustDomain + "/";
  }

  @Override
  public String toString() {
    return uri();
  }
}
