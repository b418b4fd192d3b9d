package dev.meshproof.chaos;

import dev.meshproof.runtime.Mesh;
import java.util.Objects;

/**
 * Where a {@link ProxyFault} applies Istio YAML: the embedded {@link Mesh} (see {@link #of(Mesh)}),
 * a real cluster's {@code kubectl apply}, or a recording fake in tests.
 */
@FunctionalInterface
public interface MeshConfigHandle {

  /**
   * Applies Istio YAML as {@code kubectl apply} would.
   *
   * @param source names the YAML in error messages
   */
  void apply(String yaml, String source);

  /** Waits until every proxy holds the applied configuration; by default returns at once. */
  default void awaitSynced() {}

  /** The embedded mesh: {@link Mesh#apply(String, String)}, then {@link Mesh#awaitSynced()}. */
  static MeshConfigHandle of(Mesh mesh) {
    Objects.requireNonNull(mesh, "mesh");
    return new MeshConfigHandle() {
      @Override
      public void apply(String yaml, String source) {
        mesh.apply(yaml, source);
      }

      @Override
      public void awaitSynced() {
        mesh.awaitSynced();
      }
    };
  }
}
