package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.scenario.expect.Expectation;
import dev.meshproof.scenario.traffic.TrafficSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

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
 * <p>With a {@link SteadyState} or {@link Rollback}s the plan is a chaos experiment in the Chaos
 * Toolkit's sense: the hypothesis is checked before the method (the faults while the traffic runs)
 * and after it, and the rollbacks always run; the result's {@code ExperimentVerdict} names the part
 * that failed.
 *
 * @param faults the entries in the order they were planned (the experiment's method)
 * @param steadyState the hypothesis checked before and after the method, if any
 * @param rollbacks run after the experiment whatever happened, in this order
 */
public record ChaosPlan(
    List<PlannedFault> faults, Optional<SteadyState> steadyState, List<Rollback> rollbacks) {

  private static final ChaosPlan NONE = new ChaosPlan(List.of(), Optional.empty(), List.of());

  /** Copies the entries. */
  public ChaosPlan {
    faults = List.copyOf(Objects.requireNonNull(faults, "faults"));
    Objects.requireNonNull(steadyState, "steadyState");
    rollbacks = List.copyOf(Objects.requireNonNull(rollbacks, "rollbacks"));
  }

  /** A plan of faults only. */
  public ChaosPlan(List<PlannedFault> faults) {
    this(faults, Optional.empty(), List.of());
  }

  /** Whether the plan is a chaos experiment: it has a steady-state hypothesis or rollbacks. */
  public boolean isExperiment() {
    return steadyState.isPresent() || !rollbacks.isEmpty();
  }

  /** No chaos at all. */
  public static ChaosPlan none() {
    return NONE;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the plan has no fault (it may still be an experiment without a method's faults). */
  public boolean isEmpty() {
    return faults.isEmpty();
  }

  /**
   * The links the plan's network faults act on, each once, in plan order: where a deployment places
   * toxic proxies when it deploys the topology.
   */
  public List<Link> links() {
    return faults.stream()
        .map(PlannedFault::fault)
        .filter(FaultSpec.OnLink.class::isInstance)
        .map(f -> ((FaultSpec.OnLink) f).link())
        .distinct()
        .toList();
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
    private final List<Rollback> rollbacks = new ArrayList<>();
    private Optional<SteadyState> steadyState = Optional.empty();
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

    /**
     * The steady-state hypothesis: {@code expectations} must hold over the probe traffic before the
     * method and after it, e.g. {@code steadyState(t -> t.from("client")
     * .get("http://catalog/").requests(200), successRate().atLeast(0.99).build())}.
     */
    public Builder steadyState(Consumer<TrafficSpec.Builder> probe, Expectation... expectations) {
      if (steadyState.isPresent()) {
        throw new IllegalStateException(
            "steadyState: set twice (expected: one hypothesis per experiment)");
      }
      TrafficSpec.Builder traffic = new TrafficSpec.Builder();
      probe.accept(traffic);
      steadyState =
          Optional.of(new SteadyState(traffic.build("steady-state"), List.of(expectations)));
      return this;
    }

    /** Adds a rollback, run after the experiment whatever happened, in the order added. */
    public Builder rollback(Rollback rollback) {
      rollbacks.add(Objects.requireNonNull(rollback, "rollback"));
      return this;
    }

    /** The plan. */
    public ChaosPlan build() {
      return faults.isEmpty() && steadyState.isEmpty() && rollbacks.isEmpty()
          ? NONE
          : new ChaosPlan(faults, steadyState, rollbacks);
    }
  }
}
