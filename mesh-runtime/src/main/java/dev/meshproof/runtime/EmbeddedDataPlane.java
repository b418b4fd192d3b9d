package dev.meshproof.runtime;

import dev.meshproof.runtime.proxy.Sidecar;

/** Netty sidecars in this JVM, fed by the control plane over real gRPC ADS. */
final class EmbeddedDataPlane implements DataPlane {
  static final EmbeddedDataPlane INSTANCE = new EmbeddedDataPlane();

  private EmbeddedDataPlane() {}

  @Override
  public String name() {
    return "embedded";
  }

  @Override
  public SidecarProxy startSidecar(SidecarRequest request) {
    return Sidecar.start(request);
  }
}
