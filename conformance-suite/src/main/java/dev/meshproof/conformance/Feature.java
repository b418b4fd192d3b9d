package dev.meshproof.conformance;

import dev.meshproof.reports.SupportLevel;

/**
 * Mesh features the catalogue proves, named in the style of Gateway API's features (ARCHITECTURE.md
 * §7); each is core or extended.
 */
public enum Feature {
  /** VirtualService weighted routes across DestinationRule subsets. */
  MeshHTTPRouteWeight(SupportLevel.CORE),
  /** VirtualService match on request headers. */
  MeshHTTPRouteHeaderMatch(SupportLevel.CORE),
  /** VirtualService match on the URI (prefix, exact, regex). */
  MeshHTTPRoutePathMatch(SupportLevel.CORE),
  /**
   * DestinationRule {@code trafficPolicy.loadBalancer.simple} spreading requests over endpoints.
   */
  MeshLoadBalancing(SupportLevel.CORE),
  /** DestinationRule {@code connectionPool}: circuit breaking with 503 UO on overflow. */
  MeshConnectionPool(SupportLevel.EXTENDED),
  /** DestinationRule {@code outlierDetection}: failing hosts ejected, within the ejection cap. */
  MeshOutlierDetection(SupportLevel.EXTENDED),
  /** Proxies keep serving their last configuration while the control plane is unavailable. */
  MeshControlPlaneOutage(SupportLevel.EXTENDED);

  private final SupportLevel supportLevel;

  Feature(SupportLevel supportLevel) {
    this.supportLevel = supportLevel;
  }

  public SupportLevel supportLevel() {
    return supportLevel;
  }
}
