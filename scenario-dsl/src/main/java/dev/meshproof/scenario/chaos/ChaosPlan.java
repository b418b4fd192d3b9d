package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ChaosTimeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A scenario's chaos timeline as data: faults that name their targets, at offsets from the start of
 * the traffic. It holds no live handle, so a scenario can be written down (later as YAML) before
 * anything runs; {@link #resolve(ChaosHandles)} makes the chaos module's {@link ChaosTimeline} once
 * a deployment hands out its handles.
 *
 * <pre>{@code
 * ChaosPlan plan =
 *     ChaosPlan.builder()
 *         .at(Duration.ofSeconds(5), Chaos.service("reviews").version("v2").errors(0.3, "503"))
 *         .lasting(Duration.ofSeconds(10))
 *         .at(Duration.ZERO, Chaos.controlPlaneOutage())
 *         .build();
 * }</pre>
 *
 * @param faults the entries in the order they were planned
 */
public record ChaosPlan(List<PlannedFault> faults) {

  private static final ChaosPlan NONE = new ChaosPlan(List.of());

  /** Copies the entries. */
  public ChaosPlan {
    faults = List.copyOf(Objects.requireNonNull(faults, "faults"));
  }

  /** No chaos at all. */
  public static ChaosPlan none() {
    return NONE;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the plan has no fault. */
  public boolean isEmpty() {
    return faults.isEmpty();
  }

  /**
   * The timeline over a running deployment's handles, in plan order (the timeline orders by offset;
   * ties keep this order).
   */
  public ChaosTimeline resolve(ChaosHandles handles) {
    Objects.requireNonNull(handles, "handles");
    return isEmpty()
        ? ChaosTimeline.none()
        : new ChaosTimeline(faults.stream().map(f -> f.resolve(handles)).toList());
  }

  /**
   * Builds a {@link ChaosPlan} as {@link ChaosTimeline.Builder} builds a timeline: {@link
   * #at(Duration, FaultSpec)} adds a fault lasting until the traffic ends; a following {@link
   * #lasting(Duration)} bounds it.
   */
  public static final class Builder {
    private final List<PlannedFault> faults = new ArrayList<>();
    private boolean lastHasDuration = true;

    private Builder() {}

    /** Injects {@code fault} at {@code offset} from the start of the traffic. */
    public Builder at(Duration offset, FaultSpec fault) {
      if (fault == null) {
        throw new IllegalArgumentException(
            "fault: null (expected: a fault from Chaos.* to inject at " + offset + ")");
      }
      faults.add(new PlannedFault(offset, Optional.empty(), fault));
      lastHasDuration = false;
      return this;
    }

    /**
     * Reverts the fault added by the preceding {@link #at(Duration, FaultSpec)} after {@code d}.
     */
    public Builder lasting(Duration d) {
      if (faults.isEmpty() || lastHasDuration) {
        throw new IllegalStateException(
            "lasting(" + d + ") must follow an at(offset, fault) that has no duration yet");
      }
      PlannedFault last = faults.remove(faults.size() - 1);
      faults.add(new PlannedFault(last.at(), Optional.of(d), last.fault()));
      lastHasDuration = true;
      return this;
    }

    /** The plan. */
    public ChaosPlan build() {
      return faults.isEmpty() ? NONE : new ChaosPlan(faults);
    }
  }
}
