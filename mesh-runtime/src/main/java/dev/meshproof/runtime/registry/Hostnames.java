package dev.meshproof.runtime.registry;

/** Kubernetes service host names as Istio resolves them. */
public final class Hostnames {
  public static final String CLUSTER_DOMAIN = "svc.cluster.local";

  private Hostnames() {}

  public static String fqdn(String service, String namespace) {
    return service + "." + namespace + "." + CLUSTER_DOMAIN;
  }

  /**
   * Resolves a host as written in a VirtualService, DestinationRule or Gateway-bound route, as
   * istiod's {@code ResolveShortnameToFQDN} (pilot/pkg/model/config.go) does: only a name without a
   * dot is short ({@code catalog} is {@code catalog.<namespace>.svc.cluster.local}); a name with a
   * dot ({@code catalog.other}, {@code catalog.other.svc}) is taken as written, a domain of its
   * own, not a service in namespace {@code other} (Kubernetes DNS search paths let a caller use
   * such names, but Istio's configuration does not expand them). {@code *} and IP addresses stay.
   */
  public static String resolve(String host, String namespace) {
    if (host.equals("*") || host.contains(".") || host.contains(":") || host.isEmpty()) {
      return host;
    }
    return fqdn(host, namespace);
  }
}
