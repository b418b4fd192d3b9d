package dev.meshproof.runtime.registry;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service, as Istio's service registry sees a ready pod or a ServiceEntry
 * endpoint: its service, namespace, labels, the host Istio keys the service by, and the address
 * traffic to it goes to (the stand-in for the pod IP: its sidecar's inbound listener, or the
 * ServiceEntry endpoint's loopback address).
 *
 * @param hostname {@code <service>.<namespace>.svc.cluster.local} for a Kubernetes service, the
 *     ServiceEntry host as written for a ServiceEntry
 * @param ready whether the pod is ready: a not-ready instance keeps its service (clusters, routes)
 *     but is left out of EDS, as istiod leaves Kubernetes' {@code notReadyAddresses} out unless
 *     {@code PILOT_SEND_UNHEALTHY_ENDPOINTS} is set (pilot/pkg/serviceregistry/kube/controller/
 *     endpointslice.go, {@code endpointHealthStatus})
 * @param protocol the service port's protocol as Istio derives it (port name, appProtocol or
 *     explicit protocol); it decides HTTP/2 to the upstream
 * @param exportTo the {@code exportTo} of the ServiceEntry it comes from, or the Kubernetes
 *     Service's {@code networking.istio.io/exportTo} annotation; empty: everywhere
 */
public record ServiceInstance(
    String workload,
    String service,
    String namespace,
    Map<String, String> labels,
    int servicePort,
    InetSocketAddress endpoint,
    String hostname,
    boolean ready,
    ServiceProtocol protocol,
    List<String> exportTo) {

  public ServiceInstance {
    labels = Map.copyOf(labels);
    Objects.requireNonNull(protocol, "protocol");
    exportTo = List.copyOf(exportTo);
  }

  /** A ready instance on a port of {@code protocol}, exported as {@code exportTo} says. */
  public ServiceInstance(
      String workload,
      String service,
      String namespace,
      Map<String, String> labels,
      int servicePort,
      InetSocketAddress endpoint,
      String hostname,
      ServiceProtocol protocol,
      List<String> exportTo) {
    this(
        workload,
        service,
        namespace,
        labels,
        servicePort,
        endpoint,
        hostname,
        true,
        protocol,
        exportTo);
  }

  /** A ready instance on a port of {@code protocol}, exported everywhere. */
  public ServiceInstance(
      String workload,
      String service,
      String namespace,
      Map<String, String> labels,
      int servicePort,
      InetSocketAddress endpoint,
      String hostname,
      ServiceProtocol protocol) {
    this(
        workload, service, namespace, labels, servicePort, endpoint, hostname, protocol, List.of());
  }

  /** A ready instance on an HTTP port (the protocol of ports named {@code http}). */
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

  /** This instance marked ready or not ready. */
  public ServiceInstance withReady(boolean ready) {
    return new ServiceInstance(
        workload,
        service,
        namespace,
        labels,
        servicePort,
        endpoint,
        hostname,
        ready,
        protocol,
        exportTo);
  }

  /** This instance reached at {@code endpoint} (a toxic proxy on the link to it). */
  public ServiceInstance withEndpoint(InetSocketAddress endpoint) {
    return new ServiceInstance(
        workload,
        service,
        namespace,
        labels,
        servicePort,
        endpoint,
        hostname,
        ready,
        protocol,
        exportTo);
  }

  /**
   * Whether a proxy in {@code proxyNamespace} sees this instance's service ({@code exportTo}: empty
   * or {@code *} everywhere, {@code .} the service's namespace, else the namespaces named), as
   * istiod's {@code PushContext} indexes services by visibility.
   */
  public boolean exportedTo(String proxyNamespace) {
    // istiod's IsServiceVisible: ~ (none) hides the service from every namespace, its own too.
    if (exportTo.contains("~")) {
      return false;
    }
    return exportTo.isEmpty()
        || exportTo.contains("*")
        || exportTo.contains(proxyNamespace)
        || (exportTo.contains(".") && proxyNamespace.equals(namespace));
  }

  /** True when every label of {@code selector} is present here with the same value. */
  public boolean matches(Map<String, String> selector) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
