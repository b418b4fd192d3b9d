package dev.meshproof.runtime.xds;

/**
 * A proxy NACKed configuration the control plane pushed: the translation produced something the
 * data plane refuses. The message carries the proxy's own error detail.
 */
public final class XdsRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public XdsRejectedException(String proxyId, String type, String version, String detail) {
    super("proxy " + proxyId + " rejected (NACK) " + type + " version " + version + ": " + detail);
  }
}
