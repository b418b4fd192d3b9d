package dev.meshproof.runtime;

/**
 * Which proxy implementation runs the sidecars of a mesh. The control plane and its translation are
 * the same for every data plane; only the process that consumes the xDS differs.
 */
public interface DataPlane {

  /** A short name for reports, e.g. {@code embedded} or {@code envoy}. */
  String name();

  /** Starts a sidecar that subscribes to the mesh's control plane as {@code request.proxyId()}. */
  SidecarProxy startSidecar(SidecarRequest request);

  /** The embedded data plane: Netty sidecars in this JVM. */
  static DataPlane embedded() {
    return EmbeddedDataPlane.INSTANCE;
  }
}
