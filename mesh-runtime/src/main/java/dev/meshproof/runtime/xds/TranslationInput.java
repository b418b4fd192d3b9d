package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.IstioVersionProfile;
import dev.meshproof.runtime.config.DestinationRule;
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
 * service registry, the proxy, and the Istio release whose defaults apply. The per-type builders
 * ({@code ListenerBuilder}, {@code RouteConfigBuilder}, {@code ClusterBuilder}, {@code
 * EndpointBuilder}) are pure functions of it, so the same input always yields the same snapshot.
 */
public record TranslationInput(
    ProxyNode proxy,
    List<VirtualService> virtualServices,
    List<DestinationRule> destinationRules,
    List<ServiceInstance> instances,
    IstioVersionProfile profile) {

  public TranslationInput {
    Objects.requireNonNull(proxy, "proxy");
    virtualServices = List.copyOf(virtualServices);
    destinationRules = List.copyOf(destinationRules);
    instances = List.copyOf(instances);
    Objects.requireNonNull(profile, "profile");
  }

  /** The instances of every service port, in host then port order. */
  SortedMap<ServiceKey, List<ServiceInstance>> services() {
    SortedMap<ServiceKey, List<ServiceInstance>> services = new TreeMap<>();
    for (ServiceInstance instance : instances) {
      services
          .computeIfAbsent(
              new ServiceKey(instance.hostname(), instance.servicePort()), k -> new ArrayList<>())
          .add(instance);
    }
    return services;
  }

  /**
   * The EDS clusters of every service port: the whole service, then each subset of its
   * DestinationRule, with the rule's (or the profile's default) load balancer.
   */
  List<OutboundCluster> outboundClusters() {
    List<OutboundCluster> clusters = new ArrayList<>();
    for (ServiceKey key : services().keySet()) {
      Optional<DestinationRule> rule = destinationRuleFor(key.host());
      var serviceLb =
          rule.flatMap(DestinationRule::loadBalancer).orElse(profile.defaultLoadBalancer());
      var servicePool = rule.flatMap(DestinationRule::connectionPool);
      var serviceOutlier = rule.flatMap(DestinationRule::outlierDetection);
      clusters.add(new OutboundCluster(key, "", serviceLb, Map.of(), servicePool, serviceOutlier));
      rule.ifPresent(
          r ->
              r.subsets()
                  .forEach(
                      subset ->
                          clusters.add(
                              new OutboundCluster(
                                  key,
                                  subset.name(),
                                  subset.loadBalancer().orElse(serviceLb),
                                  subset.labels(),
                                  subset.connectionPool().or(() -> servicePool),
                                  subset.outlierDetection().or(() -> serviceOutlier)))));
    }
    return clusters;
  }

  /** The first DestinationRule (by namespace/name) whose host resolves to {@code host}. */
  Optional<DestinationRule> destinationRuleFor(String host) {
    return destinationRules.stream()
        .filter(r -> Hostnames.resolve(r.host(), r.meta().namespace()).equals(host))
        .findFirst();
  }

  /**
   * The first VirtualService (by namespace/name) bound to the mesh whose hosts include {@code
   * host}.
   */
  Optional<VirtualService> virtualServiceFor(String host) {
    return virtualServices.stream()
        .filter(vs -> vs.gateways().isEmpty() || vs.gateways().contains("mesh"))
        .filter(
            vs ->
                vs.hosts().stream()
                    .anyMatch(h -> Hostnames.resolve(h, vs.meta().namespace()).equals(host)))
        .findFirst();
  }
}
