package dev.meshproof.conformance;

/** Versions the conformance report names. */
public final class MeshproofVersion {
  /** This build of Meshproof. */
  public static final String VERSION = "0.1.0-SNAPSHOT";

  private MeshproofVersion() {}
}
