package dev.meshproof.runtime.policy.lb;

import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topology labels istiod adds to a proxy's and an endpoint's labels before {@code
 * failoverPriority} compares them ({@code pilot/pkg/serviceregistry/util/label/label.go
 * AugmentLabels}, called for proxies by {@code setTopologyLabels} and for endpoints when the
 * registry builds them): {@code topology.kubernetes.io/region}, {@code topology.kubernetes.io/zone}
 * and {@code topology.istio.io/subzone} from the locality (each only when not empty), and {@code
 * topology.istio.io/cluster} (Meshproof's one cluster, {@code Kubernetes}). {@code
 * topology.istio.io/network} is added by istiod only from a network the mesh or namespace names,
 * and {@code kubernetes.io/hostname} from the pod's node: neither is modelled, so those labels are
 * present only when the pod's own labels set them.
 */
public final class TopologyLabels {
  /** The region label (Kubernetes' well-known {@code LabelTopologyRegion}). */
  public static final String REGION = "topology.kubernetes.io/region";

  /** The zone label (Kubernetes' well-known {@code LabelTopologyZone}). */
  public static final String ZONE = "topology.kubernetes.io/zone";

  /** Istio's subzone label. */
  public static final String SUBZONE = "topology.istio.io/subzone";

  /** Istio's cluster label. */
  public static final String CLUSTER = "topology.istio.io/cluster";

  /** Istio's network label. */
  public static final String NETWORK = "topology.istio.io/network";

  private TopologyLabels() {}

  /** {@code labels} with the topology labels of {@code locality} and the cluster added. */
  public static Map<String, String> augment(Map<String, String> labels, Locality locality) {
    Map<String, String> out = new LinkedHashMap<>(labels);
    if (!locality.region().isEmpty()) {
      out.put(REGION, locality.region());
    }
    if (!locality.zone().isEmpty()) {
      out.put(ZONE, locality.zone());
    }
    if (!locality.subZone().isEmpty()) {
      out.put(SUBZONE, locality.subZone());
    }
    out.put(CLUSTER, IstioWorkload.DEFAULT_CLUSTER);
    return out;
  }
}
