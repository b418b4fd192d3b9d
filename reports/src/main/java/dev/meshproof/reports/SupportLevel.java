package dev.meshproof.reports;

import java.util.Locale;

/**
 * How much of the mesh a feature belongs to, in Gateway API's terms: every conformant
 * implementation must pass {@link #CORE} tests; {@link #EXTENDED} tests are claimed feature by
 * feature.
 *
 * @see <a href="https://gateway-api.sigs.k8s.io/concepts/conformance/#2-support-levels">Gateway API
 *     support levels</a>
 */
public enum SupportLevel {
  /** Required of every implementation. */
  CORE,
  /** Optional; an implementation lists the ones it supports. */
  EXTENDED;

  /**
   * The lower-case name used in the JSON/YAML report and the HTML ({@code core}, {@code extended}).
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
