package dev.meshproof.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import org.junit.jupiter.api.Test;

class BehaviorHandleTest {

  @Test
  void anInJvmHandleTurnsTheInstancesBehaviorControl() {
    BehaviorControl control = new BehaviorControl(Behavior.defaults());
    BehaviorHandle handle = BehaviorHandle.of(control);

    Behavior unready = handle.update(b -> b.toBuilder().ready(false).build());

    assertThat(control.get()).isEqualTo(unready);
    assertThat(control.get().ready()).isFalse();
    handle.set(Behavior.defaults());
    assertThat(control.get()).isEqualTo(Behavior.defaults());
  }

  @Test
  void aServiceTargetOverABehaviorControlActsOnIt() {
    BehaviorControl control = new BehaviorControl(Behavior.defaults());
    ServiceTarget target = new ServiceTarget("reviews-v1-0", control);

    Injection injection = ServiceFault.onTargets(java.util.List.of(target)).notReady().inject();

    assertThat(control.get().ready()).isFalse();
    injection.revert();
    assertThat(control.get()).isEqualTo(Behavior.defaults());
  }
}
