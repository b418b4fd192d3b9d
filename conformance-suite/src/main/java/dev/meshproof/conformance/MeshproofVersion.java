package dev.meshproof.conformance;

/** Versions the conformance report names. */
public final class MeshproofVersion {
  /** This build of Meshproof. */
  public static final String VERSION = "0.1.0-SNAPSHOT";

  /** The Istio release whose behaviour the embedded mesh emulates (ARCHITECTURE.md §9). */
  public static final String EMULATED_ISTIO = "1.28";

  private MeshproofVersion() {}
}
