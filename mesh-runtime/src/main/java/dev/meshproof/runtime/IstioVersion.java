package dev.meshproof.runtime;

/**
 * An Istio release. {@link #EMULATED} is the one whose behaviour the mesh reproduces (ARCHITECTURE
 * §9): the single place version-dependent defaults key on, reported by proxies as Istio's report
 * {@code ISTIO_VERSION} and printed in the conformance report.
 */
public record IstioVersion(int major, int minor, int patch) implements Comparable<IstioVersion> {

  /** The release the translation's defaults follow (e.g. LEAST_REQUEST, disabled route timeout). */
  public static final IstioVersion EMULATED = new IstioVersion(1, 28, 0);

  public IstioVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException(
          "version: " + major + "." + minor + "." + patch + " (expected: non-negative numbers)");
    }
  }

  @Override
  public int compareTo(IstioVersion other) {
    return java.util.Comparator.comparingInt(IstioVersion::major)
        .thenComparingInt(IstioVersion::minor)
        .thenComparingInt(IstioVersion::patch)
        .compare(this, other);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
