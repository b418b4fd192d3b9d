package dev.meshproof.chaos;

import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.BehaviorControl;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The runtime handle on one fake-service instance's {@link Behavior}, as a {@link ServiceFault}
 * turns it: an in-JVM {@link BehaviorControl} (see {@link #of(BehaviorControl)}) or, on a remote
 * target, the instance's control API.
 */
public interface BehaviorHandle {

  /** Atomically changes the behaviour and returns the one now in force. */
  Behavior update(UnaryOperator<Behavior> change);

  /** Replaces the behaviour. */
  void set(Behavior behavior);

  /** The handle of an in-JVM instance. */
  static BehaviorHandle of(BehaviorControl control) {
    Objects.requireNonNull(control, "control");
    return new BehaviorHandle() {
      @Override
      public Behavior update(UnaryOperator<Behavior> change) {
        return control.update(change);
      }

      @Override
      public void set(Behavior behavior) {
        control.set(behavior);
      }

      @Override
      public String toString() {
        return "BehaviorHandle(" + control.get() + ")";
      }
    };
  }
}
