package dev.meshproof.fake.behavior;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The runtime handle on one instance's {@link Behavior}: what a chaos experiment turns to make an
 * instance fail, slow down or go unready, and turns back. Each request reads the behaviour once, so
 * a change applies to requests that arrive after it.
 */
public final class BehaviorControl {
  private final Behavior initial;
  private final AtomicReference<Behavior> current;

  /** A handle starting at (and resetting to) {@code initial}. */
  public BehaviorControl(Behavior initial) {
    this.initial = Objects.requireNonNull(initial, "initial");
    this.current = new AtomicReference<>(initial);
  }

  /** The behaviour in force now. */
  public Behavior get() {
    return current.get();
  }

  /** Replaces the behaviour. */
  public void set(Behavior behavior) {
    current.set(Objects.requireNonNull(behavior, "behavior"));
  }

  /**
   * Atomically changes the behaviour, e.g. {@code update(b -> b.toBuilder().ready(false).build())}.
   */
  public Behavior update(UnaryOperator<Behavior> change) {
    return current.updateAndGet(change);
  }

  /** Goes back to the behaviour the instance was built with. */
  public void reset() {
    current.set(initial);
  }
}
