package dev.meshproof.runtime.config;

import dev.meshproof.runtime.policy.lb.LbPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/destination-rule/">
 * DestinationRule</a>: subsets of a service's instances by label, and their traffic policy.
 */
public record DestinationRule(
    ResourceMeta meta,
    String host,
    Optional<LbPolicy> loadBalancer,
    List<Subset> subsets,
    Optional<ConnectionPoolSettings> connectionPool,
    Optional<OutlierDetectionSettings> outlierDetection)
    implements IstioResource {

  public DestinationRule {
    subsets = List.copyOf(subsets);
  }

  @Override
  public DestinationRule withMeta(ResourceMeta newMeta) {
    return new DestinationRule(
        newMeta, host, loadBalancer, subsets, connectionPool, outlierDetection);
  }

  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * A named group of instances selected by labels, with optional policy overrides; as in istiod's
   * {@code MergeTrafficPolicy}, a subset's {@code connectionPool} or {@code outlierDetection}
   * replaces the rule's whole block.
   */
  public record Subset(
      String name,
      Map<String, String> labels,
      Optional<LbPolicy> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetectionSettings> outlierDetection) {
    public Subset {
      labels = Map.copyOf(labels);
    }
  }
}
