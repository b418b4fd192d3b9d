package dev.meshproof.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceRegistryTest {
  private static final InetSocketAddress V1 = new InetSocketAddress("127.0.0.1", 20001);
  private static final InetSocketAddress V2 = new InetSocketAddress("127.0.0.1", 20002);
  private static final InetSocketAddress TOXIC = new InetSocketAddress("127.0.0.1", 30000);
  private static final InetSocketAddress TOXIC_FOR_ALL = new InetSocketAddress("127.0.0.1", 30001);

  private final ServiceRegistry registry = new ServiceRegistry();

  ServiceRegistryTest() {
    registry.add(new ServiceInstance("catalog-v1-0", "catalog", "default", Map.of(), 80, V1));
    registry.add(new ServiceInstance("catalog-v2-0", "catalog", "default", Map.of(), 80, V2));
  }

  @Test
  void aLinkOfOneCallerReroutesOnlyThatCallersEndpoint() {
    registry.routeLink(Optional.of("default/client-0"), "default/catalog-v2-0", TOXIC);

    assertThat(endpointsSeenBy("client-0")).containsExactly(V1, TOXIC);
    assertThat(endpointsSeenBy("other-0")).containsExactly(V1, V2);
  }

  @Test
  void aCallersOwnLinkWinsOverALinkOfEveryCaller() {
    registry.routeLink(Optional.empty(), "default/catalog-v2-0", TOXIC_FOR_ALL);
    registry.routeLink(Optional.of("default/client-0"), "default/catalog-v2-0", TOXIC);

    assertThat(endpointsSeenBy("client-0")).containsExactly(V1, TOXIC);
    assertThat(endpointsSeenBy("other-0")).containsExactly(V1, TOXIC_FOR_ALL);
  }

  @Test
  void readinessIsKeptPerInstanceAndAnUnknownWorkloadIsAnError() {
    registry.setReady("default", "catalog-v2-0", false);

    assertThat(registry.instances())
        .extracting(ServiceInstance::ready)
        .containsExactly(true, false);
    assertThatThrownBy(() -> registry.setReady("default", "nope-0", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("default/nope-0");
  }

  private List<InetSocketAddress> endpointsSeenBy(String workload) {
    return registry.instancesSeenBy(registry.instances(), "default", workload).stream()
        .map(ServiceInstance::endpoint)
        .toList();
  }
}
