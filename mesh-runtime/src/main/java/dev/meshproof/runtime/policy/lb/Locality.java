package dev.meshproof.runtime.policy.lb;

import java.util.Map;
import java.util.Objects;

/**
 * Where a workload runs, as Istio names it: {@code region/zone/subzone}, each part possibly empty.
 * Read from a pod's labels as istiod does ({@code pkg/model/proxy.go GetLocalityLabel}: {@code
 * topology.istio.io/locality}, else the legacy {@code istio-locality}; {@code
 * SanitizeLocalityLabel}: Kubernetes label values cannot hold {@code /}, so {@code .} separates the
 * parts unless the value already has a {@code /}).
 */
public record Locality(String region, String zone, String subZone) {
  /** The label istiod reads first. */
  public static final String LABEL = "topology.istio.io/locality";

  /** The legacy label istiod reads when {@link #LABEL} is absent. */
  public static final String LEGACY_LABEL = "istio-locality";

  /** No locality: every part empty (a workload without a locality label). */
  public static final Locality NONE = new Locality("", "", "");

  public Locality {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(subZone, "subZone");
  }

  /** {@code region/zone/subzone} (trailing parts optional), as istiod's {@code ConvertLocality}. */
  public static Locality parse(String locality) {
    if (locality.isEmpty()) {
      return NONE;
    }
    String[] parts = locality.split("/", 3);
    return new Locality(
        parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
  }

  /** The locality a pod's labels give it (none when it has no locality label). */
  public static Locality ofLabels(Map<String, String> labels) {
    String label = labels.getOrDefault(LABEL, labels.getOrDefault(LEGACY_LABEL, ""));
    return parse(label.contains("/") ? label : label.replace('.', '/'));
  }

  /** The label value ({@code .}-separated) that gives a pod this locality. */
  public String labelValue() {
    return toString().replace('/', '.');
  }

  public boolean isNone() {
    return equals(NONE);
  }

  /**
   * istiod's {@code util.LbPriority}: 0 when region, zone and subzone match the proxy's, 1 when
   * region and zone do, 2 when only the region does, 3 otherwise.
   */
  public int priorityFrom(Locality proxy) {
    if (!proxy.region.equals(region)) {
      return 3;
    }
    if (!proxy.zone.equals(zone)) {
      return 2;
    }
    return proxy.subZone.equals(subZone) ? 0 : 1;
  }

  /**
   * istiod's {@code util.LocalityMatch}: whether this locality falls under a rule's {@code
   * region/zone/subzone} pattern, where {@code *} matches any part and an omitted zone or subzone
   * matches any.
   */
  public boolean matches(String rule) {
    Locality r = parse(rule);
    return (r.region.equals("*") || r.region.equals(region))
        && (r.zone.isEmpty() || r.zone.equals("*") || r.zone.equals(zone))
        && (r.subZone.isEmpty() || r.subZone.equals("*") || r.subZone.equals(subZone));
  }

  @Override
  public String toString() {
    return subZone.isEmpty()
        ? (zone.isEmpty() ? region : region + "/" + zone)
        : region + "/" + zone + "/" + subZone;
  }
}
