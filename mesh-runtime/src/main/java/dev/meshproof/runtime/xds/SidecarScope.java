package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.Destination;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.config.Sidecar;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The services one proxy can reach, as istiod's {@code SidecarScope} computes them from the Sidecar
 * resource that applies to the proxy ({@code sidecar.go DefaultSidecarScopeForNamespace}, {@code
 * ConvertToSidecarScope}): the oldest Sidecar of the proxy's namespace whose {@code
 * workloadSelector} matches its labels, else the one of its namespace without selector, else the
 * one without selector in the root namespace ({@code istio-system}), else every service. Its {@code
 * egress[].hosts} ({@code namespace/dnsName}; {@code .} the proxy's namespace, {@code *} any
 * namespace, {@code ~} none; {@code dnsName} exact, {@code *} or a {@code *.suffix} wildcard)
 * decide which services get outbound clusters and virtual hosts; its {@code outboundTrafficPolicy},
 * when set, replaces the mesh's for the proxy (istiod's {@code
 * SidecarScope.OutboundTrafficPolicy}), and with ALLOW_ANY its {@code egressProxy} takes the place
 * of the {@code PassthroughCluster}.
 *
 * @param sidecar {@code namespace/name} of the Sidecar in force; empty for the default scope
 */
public record SidecarScope(
    String sidecar,
    String proxyNamespace,
    List<String> egressHosts,
    Optional<OutboundTrafficPolicy> outboundTrafficPolicy,
    /** The Sidecar's {@code outboundTrafficPolicy.egressProxy}; only read under ALLOW_ANY. */
    Optional<Destination> egressProxy) {
  /** Istio's root namespace, whose Sidecar without selector is the mesh-wide default. */
  public static final String ROOT_NAMESPACE = "istio-system";

  public SidecarScope {
    egressHosts = List.copyOf(egressHosts);
  }

  /** A scope without an egress proxy. */
  public SidecarScope(
      String sidecar,
      String proxyNamespace,
      List<String> egressHosts,
      Optional<OutboundTrafficPolicy> outboundTrafficPolicy) {
    this(sidecar, proxyNamespace, egressHosts, outboundTrafficPolicy, Optional.empty());
  }

  /** A scope whose Sidecar leaves the mesh's outbound traffic policy in force. */
  public SidecarScope(String sidecar, String proxyNamespace, List<String> egressHosts) {
    this(sidecar, proxyNamespace, egressHosts, Optional.empty());
  }

  /** Every service visible: no Sidecar applies. */
  public static SidecarScope everything(String proxyNamespace) {
    return new SidecarScope("", proxyNamespace, List.of("*/*"));
  }

  /**
   * The scope of a proxy in {@code namespace} with {@code labels}; {@code sidecars} oldest first.
   */
  public static SidecarScope forProxy(
      String namespace, Map<String, String> labels, List<Sidecar> sidecars) {
    Optional<Sidecar> selected =
        sidecars.stream()
            .filter(s -> s.meta().namespace().equals(namespace))
            .filter(s -> !s.workloadSelector().isEmpty())
            .filter(
                s ->
                    s.workloadSelector().entrySet().stream()
                        .allMatch(e -> e.getValue().equals(labels.get(e.getKey()))))
            .findFirst()
            .or(() -> withoutSelector(sidecars, namespace))
            .or(() -> withoutSelector(sidecars, ROOT_NAMESPACE));
    return selected
        .map(
            s ->
                new SidecarScope(
                    s.meta().namespace() + "/" + s.meta().name(),
                    namespace,
                    s.egress().isEmpty()
                        ? List.of("*/*") // no egress: the defaults, every service
                        : s.egress().stream().flatMap(e -> e.hosts().stream()).toList(),
                    s.outboundTrafficPolicy(),
                    s.egressProxy()))
        .orElse(everything(namespace));
  }

  private static Optional<Sidecar> withoutSelector(List<Sidecar> sidecars, String namespace) {
    return sidecars.stream()
        .filter(s -> s.meta().namespace().equals(namespace) && s.workloadSelector().isEmpty())
        .findFirst();
  }

  /**
   * Whether a VirtualService of namespace {@code vsNamespace} with {@code hosts} (resolved to
   * FQDNs) is imported, as istiod's {@code SelectVirtualServices} (model/virtualservice.go) imports
   * it: an egress host of the VirtualService's namespace ({@code .} being the proxy's) or of {@code
   * *} whose dnsName equals one of its hosts, or, when either side is a wildcard, matches it in
   * either direction ({@code host.Name.Matches}, the non-Gateway-API way). Exclusions ({@code ~}
   * hosts) are not simulated.
   */
  public boolean allowsVirtualService(String vsNamespace, List<String> hosts) {
    for (String egress : egressHosts) {
      int slash = egress.indexOf('/');
      String ns = egress.substring(0, slash);
      String dns = egress.substring(slash + 1);
      boolean namespaceMatches =
          ns.equals("*")
              || (ns.equals(".") && vsNamespace.equals(proxyNamespace))
              || ns.equals(vsNamespace);
      if (!namespaceMatches) {
        continue;
      }
      for (String host : hosts) {
        if (dns.equals(host) || wildcardMatches(dns, host) || wildcardMatches(host, dns)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the wildcard {@code pattern} ({@code *} or {@code *.suffix}) covers {@code host}. */
  private static boolean wildcardMatches(String pattern, String host) {
    return pattern.equals("*") || (pattern.startsWith("*.") && host.endsWith(pattern.substring(1)));
  }

  /** Whether the service {@code host} of namespace {@code serviceNamespace} is visible. */
  public boolean allows(String serviceNamespace, String host) {
    for (String egress : egressHosts) {
      int slash = egress.indexOf('/');
      String ns = egress.substring(0, slash);
      String dns = egress.substring(slash + 1);
      boolean namespaceMatches =
          ns.equals("*")
              || (ns.equals(".") && serviceNamespace.equals(proxyNamespace))
              || ns.equals(serviceNamespace);
      boolean hostMatches =
          dns.equals("*")
              || dns.equals(host)
              || (dns.startsWith("*.") && host.endsWith(dns.substring(1)));
      if (namespaceMatches && hostMatches) {
        return true;
      }
    }
    return false;
  }
}
