package dev.meshproof.runtime.envoy;

import dev.meshproof.runtime.DataPlane;
import dev.meshproof.runtime.SidecarProxy;
import dev.meshproof.runtime.SidecarRequest;

/**
 * Real Envoy processes as sidecars, fed by the same control plane and translation as the embedded
 * sidecars: the reference our xDS and our sidecar are held against. Each Envoy runs with {@code
 * --disable-hot-restart} and a small {@code --concurrency} (the machines have 2 cores).
 */
public final class EnvoyDataPlane implements DataPlane {
  private final EnvoyBinary binary;
  private final int concurrency;

  private EnvoyDataPlane(EnvoyBinary binary, int concurrency) {
    this.binary = binary;
    this.concurrency = concurrency;
  }

  /**
   * The Envoy data plane with the located binary.
   *
   * @throws IllegalStateException when no Envoy is installed, naming the install command
   */
  public static EnvoyDataPlane create() {
    return new EnvoyDataPlane(
        EnvoyBinary.locate()
            .orElseThrow(
                () -> new IllegalStateException(EnvoyBinary.unavailableReason().orElseThrow())),
        1);
  }

  public EnvoyBinary binary() {
    return binary;
  }

  @Override
  public String name() {
    return "envoy";
  }

  @Override
  public SidecarProxy startSidecar(SidecarRequest request) {
    return EnvoySidecar.start(binary, request, concurrency);
  }

  /** Envoy processes of this JVM that are still running (none once every mesh is closed). */
  public static long liveProcesses() {
    return EnvoyProcesses.alive();
  }
}
