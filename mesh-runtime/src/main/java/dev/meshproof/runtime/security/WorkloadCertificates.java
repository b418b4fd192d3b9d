package dev.meshproof.runtime.security;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The certificates the mesh's CA has issued, one per workload identity, as istio-agent holds them:
 * issued on first request and re-issued once rotation is due (half the lifetime), so a push after
 * that point carries a new {@code default} secret while connections made with the old one go on.
 */
public final class WorkloadCertificates {
  private final MeshCa ca;
  private final MeshSecurity settings;
  private final Map<SpiffeId, WorkloadCertificate> issued = new HashMap<>();

  private WorkloadCertificates(MeshCa ca, MeshSecurity settings) {
    this.ca = ca;
    this.settings = settings;
  }

  /**
   * The CA the settings describe: the plug-in {@code cacerts} when given (an invalid directory is
   * an {@link IllegalArgumentException} naming the file), else a new self-signed root.
   */
  public static WorkloadCertificates create(MeshSecurity settings, Clock clock) {
    MeshCa ca =
        settings.cacerts().isPresent()
            ? MeshCa.fromCacerts(settings.cacerts().get(), settings.trustDomain(), clock)
            : MeshCa.selfSigned(settings.trustDomain(), clock);
    return new WorkloadCertificates(ca, settings);
  }

  public MeshSecurity settings() {
    return settings;
  }

  public MeshCa ca() {
    return ca;
  }

  /** The identity of a workload running as {@code serviceAccount} in {@code namespace}. */
  public SpiffeId identity(String namespace, String serviceAccount) {
    return new SpiffeId(settings.trustDomain(), namespace, serviceAccount);
  }

  /** The current certificate of {@code identity}, issued or rotated as due. */
  public synchronized WorkloadCertificate certificateFor(SpiffeId identity) {
    WorkloadCertificate current = issued.get(identity);
    if (current == null || ca.rotationDue(current)) {
      current = ca.issue(identity, settings.workloadCertTtl());
      issued.put(identity, current);
    }
    return current;
  }

  /** Whether a certificate issued so far is due for rotation (the next push re-issues it). */
  public synchronized boolean rotationDue() {
    return issued.values().stream().anyMatch(ca::rotationDue);
  }

  /** Re-issues every certificate now, as a forced rotation (the next push delivers them). */
  public synchronized void rotateAll() {
    issued.replaceAll((id, old) -> ca.issue(id, settings.workloadCertTtl()));
  }
}
