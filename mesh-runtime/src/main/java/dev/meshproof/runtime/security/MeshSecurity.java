package dev.meshproof.runtime.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The mesh's security settings: its trust domain, the lifetime of workload certificates, the CA
 * (generated, or the user's plug-in {@code cacerts} directory) and auto mTLS (MeshConfig {@code
 * enableAutoMtls}, on by default as in Istio).
 */
public record MeshSecurity(
    String trustDomain, Duration workloadCertTtl, Optional<Path> cacerts, boolean autoMtls) {

  public MeshSecurity {
    new SpiffeId(trustDomain, "ns", "sa"); // checks the trust domain's syntax
    if (workloadCertTtl.isNegative() || workloadCertTtl.isZero()) {
      throw new IllegalArgumentException(
          "workloadCertTtl: " + workloadCertTtl + " (expected: a positive duration)");
    }
    Objects.requireNonNull(cacerts, "cacerts");
  }

  /** Istio's defaults: {@code cluster.local}, 24 h certificates, a self-signed root, auto mTLS. */
  public static MeshSecurity defaults() {
    return new MeshSecurity(
        SpiffeId.DEFAULT_TRUST_DOMAIN, MeshCa.DEFAULT_WORKLOAD_TTL, Optional.empty(), true);
  }

  public MeshSecurity withTrustDomain(String domain) {
    return new MeshSecurity(domain, workloadCertTtl, cacerts, autoMtls);
  }

  public MeshSecurity withWorkloadCertTtl(Duration ttl) {
    return new MeshSecurity(trustDomain, ttl, cacerts, autoMtls);
  }

  /** The CA from Istio's plug-in {@code cacerts} files in {@code directory}. */
  public MeshSecurity withCacerts(Path directory) {
    return new MeshSecurity(trustDomain, workloadCertTtl, Optional.of(directory), autoMtls);
  }

  public MeshSecurity withAutoMtls(boolean enabled) {
    return new MeshSecurity(trustDomain, workloadCertTtl, cacerts, enabled);
  }
}
