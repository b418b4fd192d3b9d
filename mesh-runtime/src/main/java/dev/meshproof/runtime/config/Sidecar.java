package dev.meshproof.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/sidecar/">Sidecar</a>:
 * which hosts the selected proxies can reach ({@code egress[].hosts}, {@code namespace/dnsName})
 * and what happens to traffic to other hosts ({@code outboundTrafficPolicy.mode}, which overrides
 * the mesh's for the selected proxies, and its {@code egressProxy}).
 */
public record Sidecar(
    ResourceMeta meta,
    Map<String, String> workloadSelector,
    List<Egress> egress,
    Optional<OutboundTrafficPolicy> outboundTrafficPolicy,
    /**
     * {@code outboundTrafficPolicy.egressProxy}: where ALLOW_ANY sends traffic to hosts outside the
     * registry instead of the {@code PassthroughCluster} (valid only with ALLOW_ANY).
     */
    Optional<Destination> egressProxy)
    implements IstioResource {

  public Sidecar {
    workloadSelector = Map.copyOf(workloadSelector);
    egress = List.copyOf(egress);
  }

  /** A Sidecar without an egress proxy. */
  public Sidecar(
      ResourceMeta meta,
      Map<String, String> workloadSelector,
      List<Egress> egress,
      Optional<OutboundTrafficPolicy> outboundTrafficPolicy) {
    this(meta, workloadSelector, egress, outboundTrafficPolicy, Optional.empty());
  }

  @Override
  public Sidecar withMeta(ResourceMeta newMeta) {
    return new Sidecar(newMeta, workloadSelector, egress, outboundTrafficPolicy, egressProxy);
  }

  /**
   * One {@code spec.egress} listener: an optional port and the {@code namespace/host} it allows.
   */
  public record Egress(OptionalInt port, List<String> hosts) {
    public Egress {
      hosts = List.copyOf(hosts);
    }
  }
}
