package dev.meshproof.runtime.registry;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One instance of a service, as Istio's service registry sees a ready pod: its service, namespace,
 * labels and the address its sidecar accepts inbound traffic on (the stand-in for the pod IP).
 */
public record ServiceInstance(
    String workload,
    String service,
    String namespace,
    Map<String, String> labels,
    int servicePort,
    InetSocketAddress endpoint) {

  public ServiceInstance {
    labels = Map.copyOf(labels);
  }

  /** {@code <service>.<namespace>.svc.cluster.local}, the host Istio keys the service by. */
  public String hostname() {
    return Hostnames.fqdn(service, namespace);
  }

  /** True when every label of {@code selector} is present here with the same value. */
  public boolean matches(Map<String, String> selector) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
