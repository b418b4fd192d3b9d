package dev.meshproof.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable chaos schedule, relative to the start of a run: which {@link Fault} is injected
 * when, and for how long.
 *
 * <pre>{@code
 * ChaosTimeline timeline =
 *     ChaosTimeline.builder()
 *         .at(Duration.ofSeconds(5), errors).lasting(Duration.ofSeconds(10)) // active 5s..15s
 *         .at(Duration.ofSeconds(20), partition)                          // active 20s..end
 *         .build();
 * }</pre>
 *
 * @param faults the entries, ordered by injection offset (ties keep the order they were added)
 */
public record ChaosTimeline(List<ScheduledFault> faults) {

  private static final ChaosTimeline NONE = new ChaosTimeline(List.of());

  /** Copies and orders the entries. */
  public ChaosTimeline {
    Objects.requireNonNull(faults, "faults");
    List<ScheduledFault> sorted = new ArrayList<>(faults);
    sorted.forEach(f -> Objects.requireNonNull(f, "faults: null entry"));
    sorted.sort(Comparator.comparing(ScheduledFault::at));
    faults = List.copyOf(sorted);
  }

  /** No chaos at all. */
  public static ChaosTimeline none() {
    return NONE;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the timeline has no fault. */
  public boolean isEmpty() {
    return faults.isEmpty();
  }

  /**
   * Builds a {@link ChaosTimeline}: {@link #at(Duration, Fault)} adds a fault lasting until the end
   * of the run; a following {@link #lasting(Duration)} bounds it.
   */
  public static final class Builder {
    private final List<ScheduledFault> faults = new ArrayList<>();
    private boolean lastHasDuration = true;

    private Builder() {}

    /**
     * Injects {@code fault} at {@code offset} from the start of the run, until the run ends unless
     * followed by {@link #lasting(Duration)}.
     */
    public Builder at(Duration offset, Fault fault) {
      Objects.requireNonNull(offset, "offset");
      if (offset.isNegative()) {
        throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0s from start)");
      }
      if (fault == null) {
        throw new IllegalArgumentException(
            "fault: null (expected: a Fault to inject at " + offset + ")");
      }
      faults.add(new ScheduledFault(offset, Optional.empty(), fault));
      lastHasDuration = false;
      return this;
    }

    /**
     * Injects {@code fault} {@code delay} after {@code trigger} happens (e.g. after 100 requests),
     * until the run ends unless followed by {@link #lasting(Duration)}.
     */
    public Builder after(ChaosTrigger trigger, Duration delay, Fault fault) {
      Objects.requireNonNull(trigger, "trigger");
      at(delay, fault);
      ScheduledFault last = faults.remove(faults.size() - 1);
      faults.add(new ScheduledFault(delay, Optional.empty(), fault, Optional.of(trigger)));
      return this;
    }

    /** Reverts the fault added by the preceding {@link #at(Duration, Fault)} after {@code d}. */
    public Builder lasting(Duration d) {
      if (faults.isEmpty() || lastHasDuration) {
        throw new IllegalStateException(
            "lasting(" + d + ") must follow an at(offset, fault) that has no duration yet");
      }
      Objects.requireNonNull(d, "duration");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("duration: " + d + " (expected: > 0)");
      }
      ScheduledFault last = faults.remove(faults.size() - 1);
      faults.add(new ScheduledFault(last.at(), Optional.of(d), last.fault(), last.trigger()));
      lastHasDuration = true;
      return this;
    }

    /** The timeline. */
    public ChaosTimeline build() {
      return faults.isEmpty() ? NONE : new ChaosTimeline(faults);
    }
  }
}
