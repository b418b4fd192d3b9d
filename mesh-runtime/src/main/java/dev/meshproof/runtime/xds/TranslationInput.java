package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.config.Gateway;
import dev.meshproof.runtime.config.OutboundTrafficPolicy;
import dev.meshproof.runtime.config.VirtualService;
import dev.meshproof.runtime.registry.Hostnames;
import dev.meshproof.runtime.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything one proxy's translation reads, fixed for one push: the applied Istio resources, the
 * service registry, the proxy, the Istio release whose defaults apply, and the mesh's {@code
 * outboundTrafficPolicy} (MeshConfig; Istio's default {@link OutboundTrafficPolicy#ALLOW_ANY}). The
 * per-type builders ({@code ListenerBuilder}, {@code RouteConfigBuilder}, {@code ClusterBuilder},
 * {@code EndpointBuilder}) are pure functions of it, so the same input always yields the same
 * snapshot.
 */
public record TranslationInput(
    ProxyNode proxy,
    /** Oldest first: ascending creation timestamp, ties by name then namespace. */
    List<VirtualService> virtualServices,
    List<DestinationRule> destinationRules,
    List<ServiceInstance> instances,
    IstioVersionProfile profile,
    SecurityInput security,
    OutboundTrafficPolicy meshOutboundTrafficPolicy,
    /** Every applied Gateway, oldest first; only a gateway proxy reads them. */
    List<Gateway> gateways,
    /** The files mounted in the proxy, which DestinationRule TLS names. */
    dev.meshproof.runtime.security.ProxyFiles files,
    /** Every applied Secret, which a gateway server's {@code credentialName} names. */
    List<dev.meshproof.runtime.config.KubernetesSecret> credentials) {

  public TranslationInput {
    Objects.requireNonNull(files, "files");
    credentials = List.copyOf(credentials);
    gateways = List.copyOf(gateways);
    Objects.requireNonNull(proxy, "proxy");
    virtualServices = List.copyOf(virtualServices);
    destinationRules = List.copyOf(destinationRules);
    instances = List.copyOf(instances);
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(meshOutboundTrafficPolicy, "meshOutboundTrafficPolicy");
  }

  /**
   * The VirtualServices a translation for {@code proxy} can read, in the order given: for a sidecar
   * the mesh-bound ones exported to its namespace and imported by its Sidecar scope (what {@link
   * #virtualServiceFor} and the sidecar route builder consider), for a gateway every one exported
   * to its namespace (gateway-bound and mesh-bound). The control plane passes only these, so a
   * change to a VirtualService the proxy cannot see leaves its input, and with it its translation,
   * as it was (istiod's {@code SidecarScope}-scoped push, {@code ProxyNeedsPush}). Conservative: a
   * superset of what the builders read.
   */
  public static List<VirtualService> visibleVirtualServices(
      List<VirtualService> virtualServices, ProxyNode proxy) {
    List<VirtualService> visible = new ArrayList<>();
    for (VirtualService vs : virtualServices) {
      if (vs.visibilityRankFor(proxy.namespace()).isEmpty()) {
        continue;
      }
      if (!proxy.isGateway()
          && (!vs.boundTo(VirtualService.MESH) || !importedByScope(proxy.scope(), vs))) {
        continue;
      }
      visible.add(vs);
    }
    // An immutable copy either way, as visibleDestinationRules returns it.
    return List.copyOf(visible.size() == virtualServices.size() ? virtualServices : visible);
  }

  /**
   * The DestinationRules {@link #destinationRuleFor} can return for a proxy of {@code namespace},
   * in the order given: those of the namespace itself and those exported to it. A rule of another
   * namespace not exported to it is never read, so leaving it out cannot change the translation.
   */
  public static List<DestinationRule> visibleDestinationRules(
      List<DestinationRule> destinationRules, String namespace) {
    List<DestinationRule> visible = new ArrayList<>();
    for (DestinationRule rule : destinationRules) {
      if (rule.meta().namespace().equals(namespace) || rule.exportedTo(namespace)) {
        visible.add(rule);
      }
    }
    // An immutable copy either way: a translation input keeps it as it is, so the proxies of one
    // namespace share one list (and ProxyOwnResources its one stripped copy), where a stream's
    // list would be copied again by each input.
    return List.copyOf(visible.size() == destinationRules.size() ? destinationRules : visible);
  }

  /**
   * The Gateways this gateway proxy serves, as istiod merges them ({@code MergeGateways}): every
   * Gateway whose {@code selector} labels the proxy carries, oldest first; none for a sidecar.
   */
  List<Gateway> selectedGateways() {
    if (!proxy.isGateway()) {
      return List.of();
    }
    return gateways.stream()
        .filter(
            g ->
                g.selector().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(proxy.labels().get(e.getKey()))))
        .toList();
  }

  /**
   * The outbound traffic policy of this proxy: its Sidecar resource's {@code outboundTrafficPolicy}
   * if it sets one, else the mesh's (istiod's {@code SidecarScope.OutboundTrafficPolicy}).
   */
  OutboundTrafficPolicy outboundTrafficPolicy() {
    return proxy.scope().outboundTrafficPolicy().orElse(meshOutboundTrafficPolicy);
  }

  /**
   * The instances of every service port the proxy's Sidecar scope makes visible, in host then port
   * order.
   */
  SortedMap<ServiceKey, List<ServiceInstance>> services() {
    SortedMap<ServiceKey, List<ServiceInstance>> services = new TreeMap<>();
    for (ServiceInstance instance : instances) {
      if (!proxy.scope().allows(instance.namespace(), instance.hostname())) {
        continue; // outside the egress hosts of the proxy's Sidecar: no cluster, no vhost
      }
      if (!instance.exportedTo(proxy.namespace())) {
        continue; // a ServiceEntry not exported to the proxy's namespace: not in its xDS
      }
      services
          .computeIfAbsent(
              new ServiceKey(instance.hostname(), instance.servicePort()), k -> new ArrayList<>())
          .add(instance);
    }
    return services;
  }

  /** True when the service port {@code key} is served as TCP (a {@code tcp_proxy}, no routes). */
  boolean isTcp(ServiceKey key, List<ServiceInstance> instances) {
    return !instances.isEmpty()
        && instances.get(0).protocol() == dev.meshproof.runtime.registry.ServiceProtocol.TCP;
  }

  /** True when this proxy's own service port is TCP: its inbound listener is a TCP proxy. */
  boolean servesTcp(int servicePort) {
    return instances.stream()
        .anyMatch(
            i ->
                i.workload().equals(proxy.workload())
                    && i.namespace().equals(proxy.namespace())
                    && i.servicePort() == servicePort
                    && i.protocol() == dev.meshproof.runtime.registry.ServiceProtocol.TCP);
  }

  /**
   * The EDS clusters of every service port: the whole service, then each subset of its
   * DestinationRule, with the policy istiod merges for that port and subset ({@link
   * DestinationRule#policyFor}; the profile's load balancer when none is set).
   */
  List<OutboundCluster> outboundClusters() {
    List<OutboundCluster> clusters = new ArrayList<>();
    for (ServiceKey key : services().keySet()) {
      Optional<DestinationRule> rule = destinationRuleFor(key.host());
      clusters.add(outboundCluster(key, rule, Optional.empty()));
      rule.ifPresent(
          r ->
              r.subsets()
                  .forEach(
                      subset -> clusters.add(outboundCluster(key, rule, Optional.of(subset)))));
    }
    return clusters;
  }

  private OutboundCluster outboundCluster(
      ServiceKey key, Optional<DestinationRule> rule, Optional<DestinationRule.Subset> subset) {
    Optional<DestinationRule.PortTrafficPolicy> policy =
        rule.map(r -> r.policyFor(subset, key.port()));
    return new OutboundCluster(
        key,
        subset.map(DestinationRule.Subset::name).orElse(""),
        policy
            .flatMap(DestinationRule.PortTrafficPolicy::loadBalancer)
            .orElse(profile.defaultLoadBalancer()),
        subset.map(DestinationRule.Subset::labels).orElse(Map.of()),
        policy.flatMap(DestinationRule.PortTrafficPolicy::connectionPool),
        policy.flatMap(DestinationRule.PortTrafficPolicy::outlierDetection),
        rule.flatMap(r -> r.consistentHashFor(subset, key.port())),
        rule.flatMap(r -> r.warmupFor(subset, key.port())));
  }

  /**
   * The hash key the default route to {@code host} on {@code port} carries as its {@code
   * hash_policy} (no VirtualService): istiod's {@code hashForService} (route/route.go), the
   * DestinationRule's port-level consistent hash for the port, else its top-level one, whatever
   * load balancer the destination's cluster ends up with.
   */
  Optional<dev.meshproof.runtime.policy.lb.HashPolicy> serviceHashPolicyFor(String host, int port) {
    return destinationRuleFor(host)
        .flatMap(r -> r.serviceHashFor(port))
        .map(dev.meshproof.runtime.policy.lb.ConsistentHash::hashKey);
  }

  /**
   * The hash key a VirtualService route destination to {@code host} carries: istiod's {@code
   * HashForHTTPDestination} (route/route.go), see {@link DestinationRule#routeHashFor}.
   */
  Optional<dev.meshproof.runtime.policy.lb.HashPolicy> hashPolicyFor(
      String host, Optional<String> subset, java.util.OptionalInt port) {
    return destinationRuleFor(host)
        .flatMap(r -> r.routeHashFor(subset, port))
        .map(dev.meshproof.runtime.policy.lb.ConsistentHash::hashKey);
  }

  /**
   * The connection pool istiod applies to this proxy's inbound cluster ({@code
   * buildInboundCluster}: the port-level policy of the DestinationRule of the service it serves;
   * only the connection pool applies inbound).
   */
  Optional<dev.meshproof.runtime.config.ConnectionPoolSettings> inboundConnectionPool(
      String host, int port) {
    return destinationRuleFor(host)
        .map(r -> r.policyFor(Optional.empty(), port))
        .flatMap(DestinationRule.PortTrafficPolicy::connectionPool);
  }

  /**
   * The DestinationRule this proxy applies to {@code host}, found as istiod's {@code
   * PushContext.destinationRule} finds it (push_context.go): first the rules of the proxy's own
   * namespace visible there ({@link DestinationRule#visibleInOwnNamespace}; for a proxy of the root
   * namespace only its private ones), then those of the service's namespace exported to the proxy's
   * namespace ({@link DestinationRule#exportedTo}), then those of the root namespace exported to
   * it; within a namespace the first in {@link #destinationRules} order. Exact hosts only (wildcard
   * DestinationRule hosts and merging of several rules for one host are not simulated).
   */
  Optional<DestinationRule> destinationRuleFor(String host) {
    // Most hosts have no rule at all: say so from the (few) rules before scanning the instances
    // for the host's namespace, which made every lookup O(instances) and a proxy's translation
    // O(services x instances).
    if (destinationRules.stream()
        .noneMatch(r -> Hostnames.resolve(r.host(), r.meta().namespace()).equals(host))) {
      return Optional.empty();
    }
    String proxyNamespace = proxy.namespace();
    String root = SidecarScope.ROOT_NAMESPACE;
    Optional<DestinationRule> local =
        rulesFor(host, proxyNamespace)
            .filter(r -> proxyNamespace.equals(root) ? isPrivateOnly(r) : r.visibleInOwnNamespace())
            .findFirst();
    if (local.isPresent()) {
      return local;
    }
    Optional<String> serviceNamespace =
        instances.stream()
            .filter(i -> i.hostname().equals(host))
            .map(ServiceInstance::namespace)
            .findFirst();
    Optional<DestinationRule> exported =
        serviceNamespace.flatMap(
            ns -> rulesFor(host, ns).filter(r -> r.exportedTo(proxyNamespace)).findFirst());
    if (exported.isPresent()) {
      return exported;
    }
    return rulesFor(host, root).filter(r -> r.exportedTo(proxyNamespace)).findFirst();
  }

  private java.util.stream.Stream<DestinationRule> rulesFor(String host, String namespace) {
    return destinationRules.stream()
        .filter(r -> r.meta().namespace().equals(namespace))
        .filter(r -> Hostnames.resolve(r.host(), r.meta().namespace()).equals(host));
  }

  private static boolean isPrivateOnly(DestinationRule rule) {
    return rule.exportTo().size() == 1
        && (rule.exportTo().contains(".") || rule.exportTo().contains(rule.meta().namespace()));
  }

  /**
   * The VirtualService that routes {@code host} on sidecars, as istiod binds it ({@code
   * SelectVirtualServices} and {@code computeWildcardHostVirtualServiceIndex}, istiod-defaults.md
   * section 6): among the mesh-bound VirtualServices, the most specific host wins (an exact host
   * beats a wildcard such as {@code *.default.svc.cluster.local}, a longer wildcard beats a shorter
   * one), and between equally specific hosts the one istiod lists first for the proxy's namespace
   * wins: by {@code exportTo} private, then exported to the namespace, then public ({@link
   * VirtualService#visibilityRankFor}), then the oldest ({@link #virtualServices} is in creation
   * order). A VirtualService not exported to the proxy's namespace, or not imported by its
   * Sidecar's egress hosts ({@link #importedByScope}), is not seen. VirtualServices are never
   * merged.
   */
  Optional<VirtualService> virtualServiceFor(String host) {
    VirtualService best = null;
    int bestSpecificity = -1;
    int bestRank = Integer.MAX_VALUE;
    for (VirtualService vs : virtualServices) {
      if (!vs.boundTo(VirtualService.MESH)) {
        continue;
      }
      // exportTo: only VirtualServices exported to the proxy's namespace; istiod lists the
      // private ones first, then those exported to the namespace by name, then the public ones.
      java.util.OptionalInt rank = vs.visibilityRankFor(proxy.namespace());
      if (rank.isEmpty() || !importedByScope(vs)) {
        continue;
      }
      for (String written : vs.hosts()) {
        int specificity = specificity(Hostnames.resolve(written, vs.meta().namespace()), host);
        if (specificity > bestSpecificity
            || (specificity == bestSpecificity && specificity >= 0 && rank.getAsInt() < bestRank)) {
          best = vs;
          bestSpecificity = specificity;
          bestRank = rank.getAsInt();
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Whether the proxy's Sidecar imports {@code vs} ({@link SidecarScope#allowsVirtualService}): a
   * VirtualService none of whose hosts the egress hosts of its namespace name is not in the proxy's
   * routes, even for a service the proxy sees.
   */
  boolean importedByScope(VirtualService vs) {
    return importedByScope(proxy.scope(), vs);
  }

  private static boolean importedByScope(SidecarScope scope, VirtualService vs) {
    return scope.allowsVirtualService(
        vs.meta().namespace(),
        vs.hosts().stream().map(h -> Hostnames.resolve(h, vs.meta().namespace())).toList());
  }

  /**
   * How specifically {@code pattern} names {@code host}: -1 when it does not match, the wildcard's
   * suffix length for a wildcard, and above every wildcard for the exact host.
   */
  private static int specificity(String pattern, String host) {
    if (pattern.equals(host)) {
      return Integer.MAX_VALUE;
    }
    if (pattern.startsWith("*") && host.endsWith(pattern.substring(1))) {
      return pattern.length() - 1;
    }
    return -1;
  }

  /**
   * A builder for {@code proxy} under {@code profile}; what is not set is empty: no
   * VirtualServices, DestinationRules, instances, Gateways, files or Secrets, a mesh without a CA
   * ({@link SecurityInput#NONE}) and Istio's default {@link OutboundTrafficPolicy#ALLOW_ANY}.
   */
  public static Builder builder(ProxyNode proxy, IstioVersionProfile profile) {
    return new Builder(proxy, profile);
  }

  /** Builds a {@link TranslationInput}. */
  public static final class Builder {
    private final ProxyNode proxy;
    private final IstioVersionProfile profile;
    private List<VirtualService> virtualServices = List.of();
    private List<DestinationRule> destinationRules = List.of();
    private List<ServiceInstance> instances = List.of();
    private SecurityInput security = SecurityInput.NONE;
    private OutboundTrafficPolicy meshOutboundTrafficPolicy = OutboundTrafficPolicy.ALLOW_ANY;
    private List<Gateway> gateways = List.of();
    private dev.meshproof.runtime.security.ProxyFiles files =
        dev.meshproof.runtime.security.ProxyFiles.NONE;
    private List<dev.meshproof.runtime.config.KubernetesSecret> credentials = List.of();

    private Builder(ProxyNode proxy, IstioVersionProfile profile) {
      this.proxy = proxy;
      this.profile = profile;
    }

    /** The VirtualServices, oldest first. */
    public Builder virtualServices(List<VirtualService> virtualServices) {
      this.virtualServices = virtualServices;
      return this;
    }

    /** The DestinationRules. */
    public Builder destinationRules(List<DestinationRule> destinationRules) {
      this.destinationRules = destinationRules;
      return this;
    }

    /** The service instances of the registry. */
    public Builder instances(List<ServiceInstance> instances) {
      this.instances = instances;
      return this;
    }

    /** The mesh's CA, identities and security policies. */
    public Builder security(SecurityInput security) {
      this.security = security;
      return this;
    }

    /** The mesh config's {@code outboundTrafficPolicy}. */
    public Builder meshOutboundTrafficPolicy(OutboundTrafficPolicy meshOutboundTrafficPolicy) {
      this.meshOutboundTrafficPolicy = meshOutboundTrafficPolicy;
      return this;
    }

    /** Every applied Gateway, oldest first. */
    public Builder gateways(List<Gateway> gateways) {
      this.gateways = gateways;
      return this;
    }

    /** The files mounted in the proxy. */
    public Builder files(dev.meshproof.runtime.security.ProxyFiles files) {
      this.files = files;
      return this;
    }

    /** Every applied Secret. */
    public Builder credentials(List<dev.meshproof.runtime.config.KubernetesSecret> credentials) {
      this.credentials = credentials;
      return this;
    }

    /** The input. */
    public TranslationInput build() {
      return new TranslationInput(
          proxy,
          virtualServices,
          destinationRules,
          instances,
          profile,
          security,
          meshOutboundTrafficPolicy,
          gateways,
          files,
          credentials);
    }
  }
}
