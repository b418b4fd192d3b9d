package dev.meshproof.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import dev.meshproof.fake.behavior.Latency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultsTest {
  private final Behavior slow = Behavior.builder().fixedLatency(Duration.ofMillis(7)).build();
  private final BehaviorControl v1 = new BehaviorControl(slow);
  private final BehaviorControl v2 = new BehaviorControl(Behavior.defaults());
  private final ServiceFault.Targets both =
      ServiceFault.onTargets(
          List.of(new ServiceTarget("reviews-v1-0", v1), new ServiceTarget("reviews-v2-0", v2)));

  @Test
  void serviceFaultChangesEveryTargetOnTopOfItsBehaviourAndRevertRestoresIt() {
    Injection injection = both.errors(0.3, "503").inject();

    assertThat(v1.get().errorRate()).isEqualTo(0.3);
    assertThat(v1.get().latency()).isEqualTo(new Latency.Fixed(Duration.ofMillis(7)));
    assertThat(v2.get().errorRate()).isEqualTo(0.3);

    injection.revert();

    assertThat(v1.get()).isEqualTo(slow);
    assertThat(v2.get()).isEqualTo(Behavior.defaults());
  }

  @Test
  void nestedServiceFaultsRevertToTheStateBeforeEach() {
    Injection outer = both.notReady().inject();
    Injection inner = both.hang(1.0).inject();
    assertThat(v2.get().ready()).isFalse();
    assertThat(v2.get().fault()).isEqualTo(dev.meshproof.fake.behavior.Fault.HANG);

    inner.revert();
    assertThat(v2.get().fault()).isEqualTo(dev.meshproof.fake.behavior.Fault.NONE);
    assertThat(v2.get().ready()).isFalse();
    outer.revert();
    assertThat(v2.get()).isEqualTo(Behavior.defaults());
  }

  @Test
  void serviceFaultDescribesTargetsAndEffect() {
    assertThat(both.latency(Duration.ofMillis(250)).description())
        .isEqualTo("service reviews-v1-0,reviews-v2-0: latency 250ms");
    assertThat(both.hang(0.5).description()).endsWith("hang 50%");
  }

  @Test
  void serviceFaultValidatesItsInput() {
    assertThatThrownBy(() -> ServiceFault.onTargets(List.of()).notReady())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("targets: []");
    assertThatThrownBy(() -> both.errors(1.5, "503"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("fraction: 1.5");
    assertThatThrownBy(() -> both.latency(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("latency: PT0S");
  }

  @Test
  void instanceFaultStopsAllAndRevertStartsAll() {
    List<String> log = new ArrayList<>();
    InstanceFault fault =
        InstanceFault.stop(
            InstanceHandle.of("a", () -> log.add("stop a"), () -> log.add("start a")),
            InstanceHandle.of("b", () -> log.add("stop b"), () -> log.add("start b")));

    Injection injection = fault.inject();
    injection.revert();

    assertThat(log).containsExactly("stop a", "stop b", "start a", "start b");
    assertThat(fault.description()).isEqualTo("instance a,b: stopped");
  }

  @Test
  void instanceFaultRestartsWhatItStoppedWhenALaterStopFails() {
    List<String> log = new ArrayList<>();
    InstanceFault fault =
        InstanceFault.stop(
            InstanceHandle.of("a", () -> log.add("stop a"), () -> log.add("start a")),
            InstanceHandle.of(
                "b",
                () -> {
                  throw new IllegalStateException("b is gone");
                },
                () -> log.add("start b")));

    assertThatThrownBy(fault::inject).hasMessage("b is gone");
    assertThat(log).containsExactly("stop a", "start a");
  }

  @Test
  void proxyFaultAppliesFaultYamlThenRestoreYamlAndWaitsForSync() {
    List<String> calls = new ArrayList<>();
    MeshConfigHandle mesh =
        new MeshConfigHandle() {
          @Override
          public void apply(String yaml, String source) {
            calls.add("apply " + yaml + " from " + source);
          }

          @Override
          public void awaitSynced() {
            calls.add("synced");
          }
        };
    ProxyFault fault = new ProxyFault(mesh, "reviews abort", "vs-with-fault", "vs-clean");

    fault.inject().revert();

    assertThat(calls)
        .containsExactly(
            "apply vs-with-fault from chaos:reviews abort",
            "synced",
            "apply vs-clean from chaos:reviews abort (restore)",
            "synced");
  }

  @Test
  void proxyFaultRequiresTheYamlToRestore() {
    assertThatThrownBy(() -> new ProxyFault((y, s) -> {}, "abort", "vs-with-fault", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("restoreYaml: blank");
  }
}
