package dev.meshproof.runtime.policy.telemetry;

import java.util.Map;
import java.util.Optional;

/**
 * One side of an exchange as Istio's standard metrics label it: the workload's name, namespace, app
 * and version, canonical service and revision, and cluster. {@link #UNKNOWN} is what the stats
 * filter reports for a peer it knows nothing about ({@code unknown} in every label).
 *
 * @see <a href="https://istio.io/latest/docs/reference/config/metrics/#labels">Istio standard
 *     metric labels</a>
 */
public record IstioWorkload(
    String name,
    String namespace,
    String app,
    String version,
    String canonicalService,
    String canonicalRevision,
    String cluster) {

  /** The value Istio's stats filter writes for a label it cannot fill. */
  public static final String UNKNOWN_VALUE = "unknown";

  /** The cluster id istiod gives a single-cluster mesh's workloads ({@code CLUSTER_ID}). */
  public static final String DEFAULT_CLUSTER = "Kubernetes";

  /** A peer the proxy knows nothing about. */
  public static final IstioWorkload UNKNOWN =
      new IstioWorkload(
          UNKNOWN_VALUE,
          UNKNOWN_VALUE,
          UNKNOWN_VALUE,
          UNKNOWN_VALUE,
          UNKNOWN_VALUE,
          UNKNOWN_VALUE,
          UNKNOWN_VALUE);

  /**
   * A workload from its instance (pod) name, namespace and pod labels. The workload name is the
   * pod's without its replica index ({@code reviews-v2-0} is {@code reviews-v2}), as Istio names
   * the Deployment a pod belongs to; canonical service and revision are derived as istiod the
   * canonical service and revision ({@code service.istio.io/canonical-name}, else {@code app}, else
   * the workload name; {@code service.istio.io/canonical-revision}, else {@code version}, else
   * {@code latest}).
   */
  public static IstioWorkload of(String name, String namespace, Map<String, String> labels) {
    String canonicalService =
        labels.getOrDefault(
            "service.istio.io/canonical-name",
            labels.getOrDefault("app", orUnknown(deploymentOf(name))));
    String canonicalRevision =
        labels.getOrDefault(
            "service.istio.io/canonical-revision", labels.getOrDefault("version", "latest"));
    return new IstioWorkload(
        orUnknown(deploymentOf(name)),
        orUnknown(namespace),
        labels.getOrDefault("app", UNKNOWN_VALUE),
        labels.getOrDefault("version", UNKNOWN_VALUE),
        canonicalService,
        canonicalRevision,
        DEFAULT_CLUSTER);
  }

  /**
   * The workload istiod names in an endpoint's {@code filter_metadata.istio.workload} ({@code
   * <workload>;<namespace>;<canonical service>;<canonical revision>;<cluster>}, istiod's {@code
   * util.AppendLbEndpointMetadata}); the stats filter reports app and version as the canonical
   * service and revision. Empty for a value of another shape.
   */
  public static Optional<IstioWorkload> fromEndpointMetadata(String workloadMetadata) {
    String[] parts = workloadMetadata.split(";", -1);
    if (parts.length != 5) {
      return Optional.empty();
    }
    return Optional.of(
        new IstioWorkload(
            orUnknown(parts[0]),
            orUnknown(parts[1]),
            orUnknown(parts[2]),
            orUnknown(parts[3]),
            orUnknown(parts[2]),
            orUnknown(parts[3]),
            orUnknown(parts[4])));
  }

  /** The Deployment of a pod named {@code <deployment>-<replica index>}; other names as written. */
  static String deploymentOf(String pod) {
    return pod == null ? null : pod.replaceFirst("-[0-9]+$", "");
  }

  /** This workload as istiod writes it in endpoint metadata (see {@link #fromEndpointMetadata}). */
  public String endpointMetadata() {
    return String.join(";", name, namespace, canonicalService, canonicalRevision, cluster);
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? UNKNOWN_VALUE : value;
  }
}
