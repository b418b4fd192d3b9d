package dev.meshproof.runtime.config;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Istio's <a href="https://istio.io/latest/docs/reference/config/networking/workload-entry/">
 * WorkloadEntry</a>: a non-Kubernetes workload (a VM, here a loopback address) with labels, which
 * ServiceEntries select by {@code workloadSelector}.
 */
public record WorkloadEntry(ResourceMeta meta, Endpoint endpoint) implements IstioResource {

  @Override
  public WorkloadEntry withMeta(ResourceMeta newMeta) {
    return new WorkloadEntry(newMeta, endpoint);
  }

  /**
   * A WorkloadEntry's spec, also the type of a ServiceEntry's {@code endpoints}: its address, its
   * ports by ServiceEntry port name, labels and the rest of Istio's fields.
   */
  public record Endpoint(
      String address,
      Map<String, Integer> ports,
      Map<String, String> labels,
      String network,
      String locality,
      OptionalInt weight,
      String serviceAccount) {
    public Endpoint {
      ports = Map.copyOf(ports);
      labels = Map.copyOf(labels);
    }
  }
}
