package dev.meshproof.runtime;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Istio release: the one a mesh emulates is an input ({@code
 * Mesh.builder().istioVersion(IstioVersion.of("1.28"))}), defaulting to {@link #CURRENT}. Its
 * {@link #profile()} carries the version-dependent defaults the translation follows (ARCHITECTURE
 * §9); proxies report it as Istio's node metadata {@code ISTIO_VERSION}, and the conformance report
 * prints it.
 */
public record IstioVersion(int major, int minor, int patch) implements Comparable<IstioVersion> {

  /** The current Istio release, the default of every mesh. */
  public static final IstioVersion CURRENT = new IstioVersion(1, 32, 0);

  private static final Pattern SYNTAX =
      Pattern.compile("(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,4}))?");

  private static final Comparator<IstioVersion> ORDER =
      Comparator.comparingInt(IstioVersion::major)
          .thenComparingInt(IstioVersion::minor)
          .thenComparingInt(IstioVersion::patch);

  public IstioVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException(
          "version: " + major + "." + minor + "." + patch + " (expected: non-negative numbers)");
    }
  }

  /**
   * Parses {@code 1.28} (patch 0) or {@code 1.28.3}, as Istio spells releases and {@code
   * compatibilityVersion}.
   *
   * @throws IllegalArgumentException naming what was found and the expected form
   */
  public static IstioVersion of(String version) {
    Matcher m = SYNTAX.matcher(version == null ? "" : version.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "istioVersion: \""
              + version
              + "\" (expected: major.minor or major.minor.patch, e.g. 1.28)");
    }
    return new IstioVersion(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  /**
   * The behaviour profile of this release.
   *
   * @throws IllegalArgumentException when no profile covers this release
   */
  public IstioVersionProfile profile() {
    return IstioVersionProfile.of(this);
  }

  @Override
  public int compareTo(IstioVersion other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
