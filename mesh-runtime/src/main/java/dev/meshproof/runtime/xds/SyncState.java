package dev.meshproof.runtime.xds;

/**
 * Per xDS type, where a proxy stands against its current snapshot, as in {@code istioctl
 * proxy-status}.
 */
public enum SyncState {
  /** The proxy ACKed the current version. */
  SYNCED,
  /** The proxy holds, or was sent, an older version and has not ACKed the current one yet. */
  STALE,
  /** Nothing of this type was sent yet. */
  NOT_SENT,
  /** The proxy rejected the current version; the status carries its error detail. */
  NACKED
}
