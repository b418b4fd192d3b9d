package dev.meshproof.runtime.xds;

import java.util.Map;
import java.util.Optional;

/**
 * One proxy's xDS status: the snapshot version the control plane holds for it and, per type (CDS,
 * EDS, LDS, RDS), what was sent, what was ACKed and any NACK detail; and the Istio version the
 * proxy reported in its node metadata (the VERSION column of {@code istioctl proxy-status}), empty
 * until it connected.
 */
public record ProxyStatus(
    String proxyId,
    String snapshotVersion,
    Map<String, TypeStatus> types,
    Optional<String> istioVersion) {
  public ProxyStatus {
    types = Map.copyOf(types);
  }

  /** True when every type this proxy needs is ACKed at the current version. */
  public boolean synced() {
    return types.values().stream().allMatch(t -> t.state() == SyncState.SYNCED);
  }

  /** The first NACK of the current version, if any. */
  public Optional<TypeStatus> nack() {
    return types.values().stream().filter(t -> t.state() == SyncState.NACKED).findFirst();
  }

  /** Status of one xDS type for one proxy. */
  public record TypeStatus(
      String type,
      SyncState state,
      String sentVersion,
      String ackedVersion,
      Optional<String> nackDetail) {}
}
