package dev.meshproof.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.registry.ServiceProtocol;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A workload's Service ports: the first from {@code serves}, the others from {@code alsoServes}.
 */
class WorkloadSpecTest {
  private static final InetSocketAddress APP_9000 = new InetSocketAddress("127.0.0.1", 30000);
  private static final InetSocketAddress APP_9001 = new InetSocketAddress("127.0.0.1", 30001);

  @Test
  void aWorkloadServesEveryPortOfItsServiceInDeclarationOrder() {
    WorkloadSpec spec =
        WorkloadSpec.builder("tcp-echo-v1-0")
            .serves("tcp-echo", 9000, APP_9000)
            .portName("tcp")
            .alsoServes("tcp-other", 9001, APP_9001)
            .build();

    assertThat(spec.servicePorts())
        .containsExactly(
            new WorkloadSpec.ServicePort("tcp", 9000, APP_9000, Optional.empty()),
            new WorkloadSpec.ServicePort("tcp-other", 9001, APP_9001, Optional.empty()));
    assertThat(spec.servicePorts())
        .extracting(WorkloadSpec.ServicePort::protocol)
        .containsOnly(ServiceProtocol.TCP);
    assertThat(spec.servicePort()).hasValue(9000);
  }

  @Test
  void aClientServesNoPortAndCannotAddOne() {
    assertThat(WorkloadSpec.builder("sleep-0").build().servicePorts()).isEmpty();
    assertThatThrownBy(
            () -> WorkloadSpec.builder("sleep-0").alsoServes("tcp", 9000, APP_9000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alsoServes: [9000]")
        .hasMessageContaining("serves(..)");
  }

  @Test
  void aRepeatedPortNumberOrNameIsRefusedAsKubernetesRefusesIt() {
    assertThatThrownBy(
            () ->
                WorkloadSpec.builder("tcp-echo-v1-0")
                    .serves("tcp-echo", 9000, APP_9000)
                    .portName("tcp")
                    .alsoServes("tcp-other", 9000, APP_9001)
                    .build())
        .hasMessageContaining("alsoServes: tcp-other 9000");
    assertThatThrownBy(
            () ->
                WorkloadSpec.builder("tcp-echo-v1-0")
                    .serves("tcp-echo", 9000, APP_9000)
                    .portName("tcp")
                    .alsoServes("tcp", 9001, APP_9001)
                    .build())
        .hasMessageContaining("alsoServes: tcp 9001");
  }
}
