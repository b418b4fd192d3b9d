package dev.meshproof.runtime.xds;

import dev.meshproof.runtime.config.DestinationRule;
import dev.meshproof.runtime.policy.lb.Locality;
import dev.meshproof.runtime.policy.lb.LocalityLbSetting;
import dev.meshproof.runtime.policy.lb.LocalityLoadBalancing;
import dev.meshproof.runtime.policy.lb.TopologyLabels;
import dev.meshproof.runtime.policy.telemetry.IstioWorkload;
import dev.meshproof.runtime.registry.ServiceInstance;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * EDS for one proxy: the load assignment of every outbound EDS cluster, the service's ready
 * instances that match the subset's labels, one group per locality (read from the pods' {@code
 * topology.istio.io/locality} label, in locality order, each ordered by workload so the assignment
 * and the snapshot version do not depend on registration order), with the priorities and weights of
 * istiod's locality load balancing for this proxy's locality ({@link LocalityLoadBalancing}: the
 * DestinationRule's {@code localityLbSetting}, else the mesh's {@code enabled: true}; failover
 * priorities only when the cluster has outlier detection, as {@code endpoint_builder.go}; with
 * {@code failoverPriority}, a locality's endpoints split by the labels they share with the proxy,
 * both with istiod's topology labels added, {@link TopologyLabels}).
 *
 * <p>Unlike istiod, a group without a locality carries no {@code locality} field and no group or
 * endpoint carries a {@code load_balancing_weight} unless {@code distribute} set one: the same
 * routing for Envoy (an unset weight is 1 and a locality is only compared when set), and the
 * translation of meshes without localities stays as it was.
 */
final class EndpointBuilder {
  private final TranslationInput input;

  EndpointBuilder(TranslationInput input) {
    this.input = input;
  }

  List<ClusterLoadAssignment> build() {
    Map<ServiceKey, List<ServiceInstance>> services = input.services();
    Locality proxy = Locality.ofLabels(input.proxy().identity().labels());
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    for (OutboundCluster cluster : input.outboundClusters()) {
      if (ClusterBuilder.isDns(services.get(cluster.service()))) {
        continue; // STRICT_DNS: the endpoints are inline; ORIGINAL_DST (NONE): there are none
      }
      Map<String, List<ServiceInstance>> byLocality = new TreeMap<>();
      services.get(cluster.service()).stream()
          .filter(i -> i.ready() && i.matches(cluster.selector()))
          .sorted(Comparator.comparing(ServiceInstance::workload))
          .forEach(
              i ->
                  byLocality
                      .computeIfAbsent(
                          Locality.ofLabels(i.labels()).toString(), l -> new ArrayList<>())
                      .add(i));
      ClusterLoadAssignment.Builder assignment =
          ClusterLoadAssignment.newBuilder().setClusterName(cluster.name());
      if (byLocality.isEmpty()) {
        endpoints.add(assignment.addEndpoints(LocalityLbEndpoints.newBuilder()).build());
        continue;
      }
      List<Locality> localities = byLocality.keySet().stream().map(Locality::parse).toList();
      List<List<ServiceInstance>> groups = new ArrayList<>(byLocality.values());
      List<List<Map<String, String>>> labels = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        Locality locality = localities.get(g);
        labels.add(
            groups.get(g).stream().map(i -> TopologyLabels.augment(i.labels(), locality)).toList());
      }
      List<LocalityLoadBalancing.Group> assigned =
          LocalityLoadBalancing.assignEndpoints(
              proxy,
              TopologyLabels.augment(input.proxy().identity().labels(), proxy),
              localities,
              labels,
              localityLbSetting(cluster),
              cluster.outlierDetection().isPresent());
      for (LocalityLoadBalancing.Group a : assigned) {
        List<ServiceInstance> group = groups.get(localities.indexOf(a.locality()));
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
        if (!a.locality().isNone()) {
          locality.setLocality(
              io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                  .setRegion(a.locality().region())
                  .setZone(a.locality().zone())
                  .setSubZone(a.locality().subZone()));
        }
        locality.setPriority(a.priority());
        a.weight()
            .ifPresent(w -> locality.setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(w)));
        if (!a.dropped()) {
          a.endpoints().stream()
              .map(group::get)
              .forEach(
                  i ->
                      locality.addLbEndpoints(
                          XdsProtos.lbEndpoint(
                              i.endpoint(),
                              IstioWorkload.of(i.workload(), i.namespace(), i.labels())
                                  .endpointMetadata())));
        }
        assignment.addEndpoints(locality);
      }
      endpoints.add(assignment.build());
    }
    return endpoints;
  }

  /** The cluster's {@code localityLbSetting}: its DestinationRule's, else the mesh's default. */
  private LocalityLbSetting localityLbSetting(OutboundCluster cluster) {
    Optional<DestinationRule> rule = input.destinationRuleFor(cluster.service().host());
    Optional<DestinationRule.Subset> subset =
        cluster.subset().isEmpty()
            ? Optional.empty()
            : rule.flatMap(r -> r.subset(cluster.subset()));
    return rule.flatMap(r -> r.localityLbSettingFor(subset, cluster.service().port()))
        .orElse(LocalityLbSetting.MESH_DEFAULT);
  }

  /** Whether {@code cluster} needs Envoy's {@code locality_weighted_lb_config}, as istiod. */
  static boolean localityWeighted(TranslationInput input, OutboundCluster cluster) {
    LocalityLbSetting setting = new EndpointBuilder(input).localityLbSetting(cluster);
    return setting.isEnabled()
        && (!setting.distribute().isEmpty()
            || (cluster.outlierDetection().isPresent()
                && (!setting.failover().isEmpty() || !setting.failoverPriority().isEmpty())));
  }
}
