package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ChaosTimeline;
import dev.meshproof.chaos.ChaosTrigger;
import dev.meshproof.chaos.ScheduledFault;
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
    for (int i = 0; i < faults.size(); i++) {
      checkAfter(faults, i);
    }
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
   * ties keep this order): stepped faults (ramps, flapping) become one entry per step; an entry
   * after an earlier one's end starts at that end, from the earlier one's own trigger.
   */
  public ChaosTimeline resolve(ChaosHandles handles) {
    Objects.requireNonNull(handles, "handles");
    if (isEmpty()) {
      return ChaosTimeline.none();
    }
    List<ScheduledFault> scheduled = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      scheduled.addAll(faults.get(i).resolve(handles, start(i), trigger(i)));
    }
    return new ChaosTimeline(scheduled);
  }

  /** Whether an entry waits for completed requests: its traffic must be seen request by request. */
  public boolean countsRequests() {
    return faults.stream().anyMatch(f -> f.after().orElse(null) instanceof StartOn.Requests);
  }

  /** Where entry {@code i} starts: from its trigger, or the start, when it chains on an end. */
  private Duration start(int i) {
    PlannedFault f = faults.get(i);
    if (f.after().orElse(null) instanceof StartOn.FaultEnds ends) {
      PlannedFault earlier = faults.get(ends.entry());
      return start(ends.entry()).plus(earlier.duration().orElseThrow()).plus(f.at());
    }
    return f.at();
  }

  /** The event entry {@code i}'s start counts from; empty for the start of the traffic. */
  private Optional<ChaosTrigger> trigger(int i) {
    StartOn after = faults.get(i).after().orElse(null);
    if (after instanceof StartOn.FaultEnds ends) {
      return trigger(ends.entry());
    }
    if (after instanceof StartOn.Requests requests) {
      return Optional.of(new ChaosTrigger.Requests(requests.count()));
    }
    return Optional.empty();
  }

  /** Checks that an entry after another's end names an earlier entry with a duration. */
  private static void checkAfter(List<PlannedFault> faults, int i) {
    if (faults.get(i).after().orElse(null) instanceof StartOn.FaultEnds ends) {
      if (ends.entry() >= i || faults.get(ends.entry()).duration().isEmpty()) {
        throw new IllegalArgumentException(
            "after.faultEnds: "
                + ends.entry()
                + " (expected: the index of an earlier chaos entry with a duration, "
                + (i == 0 ? "none before the first entry" : "0.." + (i - 1))
                + (ends.entry() < i
                    ? "; entry " + ends.entry() + " lasts until the traffic ends"
                    : "")
                + ")");
      }
    }
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

    /** The entry being written: at(...) opens it, lasting(...) and after(...) complete it. */
    private Duration openAt;

    private FaultSpec openFault;
    private Optional<Duration> openDuration = Optional.empty();
    private Optional<StartOn> openAfter = Optional.empty();

    private Builder() {}

    /** Injects {@code fault} at {@code offset} from the start of the traffic. */
    public Builder at(Duration offset, FaultSpec fault) {
      if (fault == null) {
        throw new IllegalArgumentException(
            "fault: null (expected: a fault from Chaos.* to inject at " + offset + ")");
      }
      ScheduledFault.checkWindow(offset, Optional.empty());
      closeOpen();
      openAt = offset;
      openFault = fault;
      return this;
    }

    /**
     * Reverts the fault added by the preceding {@link #at(Duration, FaultSpec)} after {@code d}; a
     * ramp or flapping needs it (its steps divide the window).
     */
    public Builder lasting(Duration d) {
      if (openFault == null || openDuration.isPresent()) {
        throw new IllegalStateException(
            "lasting(" + d + ") must follow an at(offset, fault) that has no duration yet");
      }
      ScheduledFault.checkWindow(Duration.ZERO, Optional.of(d));
      openDuration = Optional.of(d);
      return this;
    }

    /**
     * Makes the fault added by the preceding {@link #at(Duration, FaultSpec)} wait for {@code
     * event}: its offset then counts from it, e.g. {@code .at(ZERO, fault).after(new
     * StartOn.Requests(100))}.
     */
    public Builder after(StartOn event) {
      Objects.requireNonNull(event, "event");
      if (openFault == null || openAfter.isPresent()) {
        throw new IllegalStateException(
            "after(" + event + ") must follow an at(offset, fault) that waits for nothing yet");
      }
      if (event instanceof StartOn.FaultEnds ends) {
        int self = faults.size();
        if (ends.entry() >= self || faults.get(ends.entry()).duration().isEmpty()) {
          List<PlannedFault> candidate = new ArrayList<>(faults);
          candidate.add(
              new PlannedFault(
                  openAt, Optional.of(Duration.ofSeconds(1)), openFault, Optional.of(event)));
          checkAfter(candidate, self);
        }
      }
      openAfter = Optional.of(event);
      return this;
    }

    /** Adds the entry being written to the plan. */
    private void closeOpen() {
      if (openFault == null) {
        return;
      }
      PlannedFault entry = new PlannedFault(openAt, openDuration, openFault, openAfter);
      openFault = null;
      openDuration = Optional.empty();
      openAfter = Optional.empty();
      faults.add(entry);
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
      closeOpen();
      return faults.isEmpty() && steadyState.isEmpty() && rollbacks.isEmpty()
          ? NONE
          : new ChaosPlan(faults, steadyState, rollbacks);
    }
  }
}
