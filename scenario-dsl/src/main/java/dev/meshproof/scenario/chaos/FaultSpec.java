package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.Fault;
import dev.meshproof.chaos.InstanceFault;
import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ProxyFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.chaos.network.ToxicProxy;
import dev.meshproof.fake.behavior.StatusMix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A fault of a scenario as data: what it does and which targets it names (service instances, the
 * mesh's configuration, the control plane). At run time {@link #resolve(ChaosHandles)} turns it
 * into the chaos module's {@link Fault} over the deployment's handles.
 */
public sealed interface FaultSpec
    permits FaultSpec.OnService,
        FaultSpec.OnProxies,
        FaultSpec.ControlPlaneOutage,
        FaultSpec.KillInstances,
        FaultSpec.OnLink,
        FaultSpec.DrainInstances,
        FaultSpec.Scale,
        FaultSpec.NotReady,
        FaultSpec.Flap,
        FaultSpec.Ramp {

  /** The fault over this deployment's handles. */
  Fault resolve(ChaosHandles handles);

  /** Whether the fault is a sequence of steps over its window (a ramp, flapping): it needs one. */
  default boolean stepped() {
    return false;
  }

  /**
   * The fault as entries of the timeline over the window from {@code start}: itself, or for a
   * {@link #stepped()} fault one entry per step, back to back (the run reverts a step before it
   * injects the next at the same instant, so two never overlap).
   */
  default List<PlannedFault> steps(Duration start, Optional<Duration> duration) {
    return List.of(new PlannedFault(start, duration, this));
  }

  /**
   * A {@link ServiceFault}: the selected instances' behaviour changed by {@code effect}.
   *
   * @param instances which instances
   * @param effect what changes on each
   */
  record OnService(InstanceSelector instances, ServiceFault.Effect effect) implements FaultSpec {
    /** Checks both are present. */
    public OnService {
      Objects.requireNonNull(instances, "instances");
      Objects.requireNonNull(effect, "effect");
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      List<ServiceTarget> targets = instances.select(handles);
      if (targets.isEmpty()) {
        // Scenario.build() checked the selector against the topology: the deployment lost them.
        throw new IllegalStateException("chaos: no running instance of " + instances);
      }
      return new ServiceFault(targets, effect);
    }
  }

  /**
   * A {@link ProxyFault}: Istio YAML with the mesh's own fault injection while active, the YAML it
   * replaced afterwards.
   *
   * @param name a short label, e.g. {@code "reviews abort 50% 503"}
   * @param faultYaml applied on inject
   * @param restoreYaml applied on revert
   */
  record OnProxies(String name, String faultYaml, String restoreYaml) implements FaultSpec {
    /** Checks a name and non-blank YAML on both sides, as {@link ProxyFault} does. */
    public OnProxies {
      ProxyFault.checkParts(name, faultYaml, restoreYaml);
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      return new ProxyFault(handles.meshConfig(), name, faultYaml, restoreYaml);
    }
  }

  /** An {@link InstanceFault} on the control plane: istiod down while active. */
  record ControlPlaneOutage() implements FaultSpec {
    @Override
    public Fault resolve(ChaosHandles handles) {
      return InstanceFault.stop(handles.controlPlane());
    }
  }

  /**
   * An {@link InstanceFault} on service instances: their application processes killed abruptly
   * while active (the sidecar's connections to them are refused), restarted on the same address
   * when it ends.
   *
   * @param instances which instances
   */
  record KillInstances(InstanceSelector instances) implements FaultSpec {
    /** Checks a selector. */
    public KillInstances {
      Objects.requireNonNull(instances, "instances");
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      List<ServiceTarget> targets = instances.select(handles);
      if (targets.isEmpty()) {
        throw new IllegalStateException("chaos: no running instance of " + instances);
      }
      return InstanceFault.stop(
          targets.stream()
              .map(t -> handles.instance(t.name()))
              .toArray(dev.meshproof.chaos.InstanceHandle[]::new));
    }
  }

  /**
   * A {@link NetworkFault} on a link of the topology: a toxic on a fraction of its connections, or
   * a partition (connections refused, or blackholed). The deployment placed the link's toxic
   * proxies when it deployed the topology; a deployment without them fails the fault loudly.
   *
   * @param link which link
   * @param disruption what the link does while active
   */
  record OnLink(Link link, NetworkFault.Disruption disruption) implements FaultSpec {
    /** Checks both are present. */
    public OnLink {
      Objects.requireNonNull(link, "link");
      Objects.requireNonNull(disruption, "disruption");
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      List<ToxicProxy> proxies = handles.link(link);
      if (proxies.isEmpty()) {
        throw new IllegalStateException("chaos: no toxic proxy on the link " + link);
      }
      return new NetworkFault(link.toString(), proxies, disruption);
    }
  }

  /**
   * An {@link InstanceFault} that stops instances gracefully, as a pod's termination: not ready
   * first (the endpoints leave every caller's EDS through the control plane), then the requests in
   * flight complete, then the application closes; when the fault ends the instances start again and
   * turn ready.
   *
   * @param instances which instances
   */
  record DrainInstances(InstanceSelector instances) implements FaultSpec {
    /** Checks a selector. */
    public DrainInstances {
      Objects.requireNonNull(instances, "instances");
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      List<ServiceTarget> targets = instances.select(handles);
      if (targets.isEmpty()) {
        throw new IllegalStateException("chaos: no running instance of " + instances);
      }
      return new InstanceFault(
          targets.stream().map(t -> handles.drain(t.name())).toList(), "drained");
    }
  }

  /**
   * A version of a service scaled to {@code replicas} while active, back to its declared replicas
   * after: new instances are deployed and turn ready, removed ones are drained (as {@link
   * DrainInstances}); every change reaches the callers as endpoints pushed by the control plane.
   *
   * @param service the service
   * @param version the version label
   * @param replicas the replica count while active, {@code >= 0}
   */
  record Scale(String service, String version, int replicas) implements FaultSpec {
    /** Checks names and a replica count. */
    public Scale {
      if (service == null || service.isBlank()) {
        throw new IllegalArgumentException("service: \"" + service + "\" (expected: a name)");
      }
      if (version == null || version.isBlank()) {
        throw new IllegalArgumentException("version: \"" + version + "\" (expected: a label)");
      }
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas: " + replicas + " (expected: >= 0)");
      }
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      InstanceHandle scaled = handles.scale(service, version, replicas);
      return new InstanceFault(List.of(scaled), "scaled to " + replicas);
    }
  }

  /**
   * Instances turned not ready, as a failing readiness probe does in Kubernetes: the probe answers
   * 503, and the control plane leaves the instances out of every caller's EDS ({@code
   * Mesh.setReady}, pushed and ACKed before the fault counts as injected), so both data planes stop
   * sending to them; when it ends they turn ready and are pushed back. With {@code status} the
   * instances also answer it to every request meanwhile (what failing readiness usually means), so
   * a request that still reaches one shows.
   *
   * @param instances which instances
   * @param status what they answer while not ready; empty: they keep answering normally
   */
  record NotReady(InstanceSelector instances, Optional<StatusMix> status) implements FaultSpec {
    /** Checks the parts. */
    public NotReady {
      Objects.requireNonNull(instances, "instances");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      List<ServiceTarget> targets = instances.select(handles);
      if (targets.isEmpty()) {
        throw new IllegalStateException("chaos: no running instance of " + instances);
      }
      return new InstanceFault(
          targets.stream().map(t -> handles.readiness(t.name(), status)).toList(),
          "not ready" + status.map(s -> ", answering " + s.spec()).orElse(""));
    }
  }

  /**
   * Readiness flapping: the instances not ready for {@code notReady}, ready for {@code ready}, and
   * again, over the fault's window (starting not ready; the last phase cut at the window's end).
   * Each phase is a {@link NotReady} step, so every flip goes through the control plane.
   *
   * @param instances which instances
   * @param notReady how long each not-ready phase lasts
   * @param ready how long each ready phase between them lasts
   * @param status what they answer while not ready, as {@link NotReady#status()}
   */
  record Flap(
      InstanceSelector instances, Duration notReady, Duration ready, Optional<StatusMix> status)
      implements FaultSpec {
    /** Checks positive phases. */
    public Flap {
      Objects.requireNonNull(instances, "instances");
      positive("flap.notReady", notReady);
      positive("flap.ready", ready);
      Objects.requireNonNull(status, "status");
    }

    @Override
    public boolean stepped() {
      return true;
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      throw new IllegalStateException("flapping resolves step by step (steps(...))");
    }

    @Override
    public List<PlannedFault> steps(Duration start, Optional<Duration> duration) {
      Duration end = start.plus(duration.orElseThrow());
      List<PlannedFault> steps = new ArrayList<>();
      for (Duration t = start; t.compareTo(end) < 0; t = t.plus(notReady).plus(ready)) {
        Duration length = notReady.compareTo(end.minus(t)) <= 0 ? notReady : end.minus(t);
        steps.add(new PlannedFault(t, Optional.of(length), new NotReady(instances, status)));
      }
      return steps;
    }

    @Override
    public String toString() {
      return "flapping of " + instances;
    }
  }

  /**
   * A ramp: an error rate or a latency on the instances rising (or falling) from {@code from} to
   * {@code to} in {@code steps} equal steps over the fault's window; many steps make it linear.
   * Step {@code i} of {@code n} holds {@code from + (to - from) * i / (n - 1)}; a step whose value
   * is zero injects nothing.
   *
   * @param instances which instances
   * @param of what rises
   * @param steps how many steps, {@code >= 2}; empty: one per second of the window (at least 2)
   */
  record Ramp(InstanceSelector instances, RampOf of, Optional<Integer> steps) implements FaultSpec {
    /** Checks the parts. */
    public Ramp {
      Objects.requireNonNull(instances, "instances");
      Objects.requireNonNull(of, "of");
      Objects.requireNonNull(steps, "steps");
      steps
          .filter(n -> n < 2)
          .ifPresent(
              n -> {
                throw new IllegalArgumentException(
                    "ramp.steps: " + n + " (expected: >= 2, a start and an end)");
              });
    }

    @Override
    public boolean stepped() {
      return true;
    }

    @Override
    public Fault resolve(ChaosHandles handles) {
      throw new IllegalStateException("a ramp resolves step by step (steps(...))");
    }

    @Override
    public List<PlannedFault> steps(Duration start, Optional<Duration> duration) {
      Duration window = duration.orElseThrow();
      int n = steps.orElse((int) Math.max(2, window.toSeconds()));
      List<PlannedFault> planned = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Duration from = start.plus(window.multipliedBy(i).dividedBy(n));
        Duration to = start.plus(window.multipliedBy(i + 1).dividedBy(n));
        double share = (double) i / (n - 1);
        Optional<dev.meshproof.chaos.ServiceFault.Effect> effect = of.at(share);
        if (effect.isPresent() && to.compareTo(from) > 0) {
          planned.add(
              new PlannedFault(
                  from, Optional.of(to.minus(from)), new OnService(instances, effect.get())));
        }
      }
      return planned;
    }

    @Override
    public String toString() {
      return "a ramp of " + of + " on " + instances;
    }
  }

  /** What a {@link Ramp} raises. */
  sealed interface RampOf {
    /** The effect at {@code share} (0 = from, 1 = to) of the ramp; empty when it is zero. */
    Optional<dev.meshproof.chaos.ServiceFault.Effect> at(double share);
  }

  /**
   * An error rate from {@code from} to {@code to}, answered with {@code statuses}.
   *
   * @param from the first step's fraction, 0-1
   * @param to the last step's fraction, 0-1
   * @param statuses the statuses drawn
   */
  record ErrorRamp(double from, double to, StatusMix statuses) implements RampOf {
    /** Checks fractions and statuses. */
    public ErrorRamp {
      fraction("ramp.errors.from", from);
      fraction("ramp.errors.to", to);
      Objects.requireNonNull(statuses, "statuses");
    }

    @Override
    public Optional<dev.meshproof.chaos.ServiceFault.Effect> at(double share) {
      double f = from + (to - from) * share;
      return f <= 0
          ? Optional.empty()
          : Optional.of(new dev.meshproof.chaos.ServiceFault.Errors(Math.min(1, f), statuses));
    }

    @Override
    public String toString() {
      return "errors " + from + " -> " + to;
    }
  }

  /**
   * A service time from {@code from} to {@code to}.
   *
   * @param from the first step's latency, {@code >= 0}
   * @param to the last step's latency, {@code >= 0}
   */
  record LatencyRamp(Duration from, Duration to) implements RampOf {
    /** Checks non-negative latencies. */
    public LatencyRamp {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (from.isNegative() || to.isNegative()) {
        throw new IllegalArgumentException(
            "ramp.latency: " + from + " -> " + to + " (expected: >= 0s)");
      }
    }

    @Override
    public Optional<dev.meshproof.chaos.ServiceFault.Effect> at(double share) {
      long nanos = Math.round(from.toNanos() + (to.toNanos() - from.toNanos()) * share);
      // Whole milliseconds: the echo waits in milliseconds, and the steps read well in the log.
      Duration latency = Duration.ofMillis(Math.round(nanos / 1e6));
      return latency.isZero()
          ? Optional.empty()
          : Optional.of(new dev.meshproof.chaos.ServiceFault.AddedLatency(latency));
    }

    @Override
    public String toString() {
      return "latency " + from.toMillis() + "ms -> " + to.toMillis() + "ms";
    }
  }

  private static void positive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }

  private static void fraction(String field, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a fraction in [0, 1])");
    }
  }
}
