package dev.meshproof.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.config.IstioResource;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.runtime.config.ServiceEntry;
import dev.meshproof.runtime.config.WorkloadEntry;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceEntryInstancesTest {
  private static final String YAML =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: inline}
      spec:
        hosts: [a.example.com, b.example.com]
        ports: [{number: 80, name: http, protocol: HTTP, targetPort: 9000}]
        resolution: STATIC
        endpoints:
        - {address: 127.0.0.1, ports: {http: 8081}}
        - {address: 127.0.0.2}
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: selected, namespace: shop}
      spec:
        hosts: [vm.example.com]
        ports: [{number: 8080, name: http}]
        resolution: STATIC
        workloadSelector: {labels: {app: vm}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: vm-1, namespace: shop}
      spec: {address: 127.0.0.3, labels: {app: vm, version: v1}, ports: {http: 7000}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: vm-other-namespace, namespace: default}
      spec: {address: 127.0.0.4, labels: {app: vm}}
      """;

  @Test
  void instancesPerHostPortAndEndpointWithTheEndpointsPortOrTheTargetPort() {
    List<IstioResource> resources = IstioYamlParser.parse(YAML, "se.yaml", "default");
    List<ServiceInstance> instances =
        ServiceEntryInstances.of(
            resources.stream()
                .filter(ServiceEntry.class::isInstance)
                .map(ServiceEntry.class::cast)
                .toList(),
            resources.stream()
                .filter(WorkloadEntry.class::isInstance)
                .map(WorkloadEntry.class::cast)
                .toList());
    assertThat(instances)
        .extracting(
            ServiceInstance::hostname,
            ServiceInstance::servicePort,
            ServiceInstance::workload,
            ServiceInstance::endpoint)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "a.example.com", 80, "inline-0", new InetSocketAddress("127.0.0.1", 8081)),
            org.assertj.core.groups.Tuple.tuple(
                "a.example.com", 80, "inline-1", new InetSocketAddress("127.0.0.2", 9000)),
            org.assertj.core.groups.Tuple.tuple(
                "b.example.com", 80, "inline-0", new InetSocketAddress("127.0.0.1", 8081)),
            org.assertj.core.groups.Tuple.tuple(
                "b.example.com", 80, "inline-1", new InetSocketAddress("127.0.0.2", 9000)),
            org.assertj.core.groups.Tuple.tuple(
                "vm.example.com", 8080, "vm-1", new InetSocketAddress("127.0.0.3", 7000)));
    assertThat(instances.get(4).labels()).containsEntry("version", "v1");
  }
}
