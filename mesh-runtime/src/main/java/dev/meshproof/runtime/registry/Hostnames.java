package dev.meshproof.runtime.registry;

/** Kubernetes service host names as Istio resolves them. */
public final class Hostnames {
  public static final String CLUSTER_DOMAIN = "svc.cluster.local";

  private Hostnames() {}

  public static String fqdn(String service, String namespace) {
    return service + "." + namespace + "." + CLUSTER_DOMAIN;
  }

  /**
   * Resolves a host as written in a VirtualService or DestinationRule: a short name ({@code
   * catalog}) is relative to the resource's namespace, as Istio documents; {@code catalog.other}
   * names a namespace; anything with more dots is taken as written.
   */
  public static String resolve(String host, String namespace) {
    if (host.contains("*")) {
      return host;
    }
    String[] parts = host.split("\\.");
    if (parts.length == 1) {
      return fqdn(host, namespace);
    }
    if (parts.length == 2) {
      return fqdn(parts[0], parts[1]);
    }
    if (parts.length == 3 && parts[2].equals("svc")) {
      return host + ".cluster.local";
    }
    return host;
  }
}
