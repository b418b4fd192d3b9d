package dev.meshproof.runtime.registry;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One instance of a service, as Istio's service registry sees a ready pod or a ServiceEntry
 * endpoint: its service, namespace, labels, the host Istio keys the service by, and the address
 * traffic to it goes to (the stand-in for the pod IP: its sidecar's inbound listener, or the
 * ServiceEntry endpoint's loopback address).
 *
 * @param hostname {@code <service>.<namespace>.svc.cluster.local} for a Kubernetes service, the
 *     ServiceEntry host as written for a ServiceEntry
 */
public record ServiceInstance(
    String workload,
    String service,
    String namespace,
    Map<String, String> labels,
    int servicePort,
    InetSocketAddress endpoint,
    String hostname,
    ServiceProtocol protocol) {

  public ServiceInstance {
    labels = Map.copyOf(labels);
    java.util.Objects.requireNonNull(protocol, "protocol");
  }

  /** An HTTP instance keyed by {@code hostname}. */
  public ServiceInstance(
      String workload,
      String service,
      String namespace,
      Map<String, String> labels,
      int servicePort,
      InetSocketAddress endpoint,
      String hostname) {
    this(
        workload,
        service,
        namespace,
        labels,
        servicePort,
        endpoint,
        hostname,
        ServiceProtocol.HTTP);
  }

  /** An instance of the Kubernetes service {@code service}, keyed by its cluster-local host. */
  public ServiceInstance(
      String workload,
      String service,
      String namespace,
      Map<String, String> labels,
      int servicePort,
      InetSocketAddress endpoint) {
    this(
        workload,
        service,
        namespace,
        labels,
        servicePort,
        endpoint,
        Hostnames.fqdn(service, namespace));
  }

  /** True when every label of {@code selector} is present here with the same value. */
  public boolean matches(Map<String, String> selector) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
