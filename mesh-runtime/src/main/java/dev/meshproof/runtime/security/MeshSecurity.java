package dev.meshproof.runtime.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The mesh's security settings: its trust domain, the lifetime of workload certificates, the CA
 * (generated, or the user's plug-in {@code cacerts} directory) and auto mTLS (MeshConfig {@code
 * enableAutoMtls}, on by default as in Istio) and the MeshConfig {@code extensionProviders} that
 * AuthorizationPolicies with {@code action: CUSTOM} name (none by default).
 */
public record MeshSecurity(
    String trustDomain,
    Duration workloadCertTtl,
    Optional<Path> cacerts,
    boolean autoMtls,
    java.util.List<dev.meshproof.runtime.config.ExtensionProvider> extensionProviders) {

  public MeshSecurity {
    new SpiffeId(trustDomain, "ns", "sa"); // checks the trust domain's syntax
    if (workloadCertTtl.isNegative() || workloadCertTtl.isZero()) {
      throw new IllegalArgumentException(
          "workloadCertTtl: " + workloadCertTtl + " (expected: a positive duration)");
    }
    Objects.requireNonNull(cacerts, "cacerts");
    extensionProviders = java.util.List.copyOf(extensionProviders);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (var provider : extensionProviders) {
      if (!names.add(provider.name())) {
        throw new IllegalArgumentException(
            "extensionProviders: duplicate name "
                + provider.name()
                + " (expected: unique names, as istiod requires)");
      }
    }
  }

  /** Settings without extension providers. */
  public MeshSecurity(
      String trustDomain, Duration workloadCertTtl, Optional<Path> cacerts, boolean autoMtls) {
    this(trustDomain, workloadCertTtl, cacerts, autoMtls, java.util.List.of());
  }

  /** Istio's defaults: {@code cluster.local}, 24 h certificates, a self-signed root, auto mTLS. */
  public static MeshSecurity defaults() {
    return new MeshSecurity(
        SpiffeId.DEFAULT_TRUST_DOMAIN, MeshCa.DEFAULT_WORKLOAD_TTL, Optional.empty(), true);
  }

  public MeshSecurity withTrustDomain(String domain) {
    return new MeshSecurity(domain, workloadCertTtl, cacerts, autoMtls, extensionProviders);
  }

  public MeshSecurity withWorkloadCertTtl(Duration ttl) {
    return new MeshSecurity(trustDomain, ttl, cacerts, autoMtls, extensionProviders);
  }

  /** The CA from Istio's plug-in {@code cacerts} files in {@code directory}. */
  public MeshSecurity withCacerts(Path directory) {
    return new MeshSecurity(
        trustDomain, workloadCertTtl, Optional.of(directory), autoMtls, extensionProviders);
  }

  public MeshSecurity withAutoMtls(boolean enabled) {
    return new MeshSecurity(trustDomain, workloadCertTtl, cacerts, enabled, extensionProviders);
  }

  /** MeshConfig {@code extensionProviders}: the ext_authz services CUSTOM policies name. */
  public MeshSecurity withExtensionProviders(
      java.util.List<dev.meshproof.runtime.config.ExtensionProvider> providers) {
    return new MeshSecurity(trustDomain, workloadCertTtl, cacerts, autoMtls, providers);
  }
}
