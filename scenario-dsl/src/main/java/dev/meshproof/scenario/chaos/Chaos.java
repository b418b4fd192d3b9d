package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.network.Toxic;
import dev.meshproof.fake.behavior.Behavior;
import dev.meshproof.fake.behavior.StatusMix;
import java.time.Duration;
import java.util.Optional;

/**
 * The faults a scenario can plan, by the targets they name:
 *
 * <pre>{@code
 * .chaos(c -> c.at(Duration.ZERO, Chaos.service("catalog").version("v1").errors(0.3, "503")))
 * .chaos(c -> c.at(Duration.ZERO, Chaos.controlPlaneOutage()))
 * }</pre>
 */
public final class Chaos {
  private Chaos() {}

  /** A fault on the instances of {@code service}; narrow it with a version or an instance. */
  public static Instances service(String service) {
    return new Instances(new InstanceSelector(service, Optional.empty(), Optional.empty()));
  }

  /**
   * The mesh's own fault injection: {@code faultYaml} (e.g. a VirtualService with a {@code fault:}
   * block) applied while active, {@code restoreYaml} (the same resources without it) afterwards.
   */
  public static FaultSpec.OnProxies proxy(String name, String faultYaml, String restoreYaml) {
    return new FaultSpec.OnProxies(name, faultYaml, restoreYaml);
  }

  /** The control plane (istiod) stopped while active; proxies keep their last configuration. */
  public static FaultSpec.ControlPlaneOutage controlPlaneOutage() {
    return new FaultSpec.ControlPlaneOutage();
  }

  /** {@code service}'s {@code version} scaled to {@code replicas} while active. */
  public static FaultSpec.Scale scale(String service, String version, int replicas) {
    return new FaultSpec.Scale(service, version, replicas);
  }

  /** A link, waiting for what happens on it. */
  public static final class Links {
    private final Link link;

    private Links(Link link) {
      this.link = link;
    }

    /** {@code toxic} on every connection of the link. */
    public FaultSpec.OnLink toxic(Toxic toxic) {
      return toxic(toxic, 1.0);
    }

    /** {@code toxic} on a {@code toxicity} fraction of the link's connections. */
    public FaultSpec.OnLink toxic(Toxic toxic, double toxicity) {
      return new FaultSpec.OnLink(link, new NetworkFault.Degrade(toxic, toxicity));
    }

    /** A partition: the link refuses connections (the caller sees UF). */
    public FaultSpec.OnLink refused() {
      return new FaultSpec.OnLink(link, new NetworkFault.Refuse());
    }

    /** A partition: the link drops every byte both ways (the caller times out). */
    public FaultSpec.OnLink blackholed() {
      return toxic(Toxic.blackhole());
    }
  }

  /** Selected service instances, waiting for the effect. */
  public static final class Instances {
    private final InstanceSelector selector;

    private Instances(InstanceSelector selector) {
      this.selector = selector;
    }

    /** Only the instances labelled {@code version}. */
    public Instances version(String version) {
      return new Instances(
          new InstanceSelector(selector.service(), Optional.of(version), selector.instance()));
    }

    /** Only the instance (pod) named {@code instance}, e.g. {@code catalog-v1-0}. */
    public Instances instance(String instance) {
      return new Instances(
          new InstanceSelector(selector.service(), selector.version(), Optional.of(instance)));
    }

    /** {@code fraction} (0-1) of requests answered with a status from {@code statusMix}. */
    public FaultSpec.OnService errors(double fraction, String statusMix) {
      return effect(new ServiceFault.Errors(fraction, StatusMix.parse(statusMix)));
    }

    /** Every request answered {@code latency} later. */
    public FaultSpec.OnService latency(Duration latency) {
      return effect(new ServiceFault.AddedLatency(latency));
    }

    /** {@code fraction} (0-1) of requests accepted and never answered. */
    public FaultSpec.OnService hang(double fraction) {
      return effect(new ServiceFault.Hang(fraction));
    }

    /**
     * Not ready, as a failing readiness probe: the probe answers 503 and the control plane takes
     * the instances out of every caller's EDS while the fault lasts (they keep answering).
     */
    public FaultSpec.NotReady notReady() {
      return new FaultSpec.NotReady(selector, Optional.empty());
    }

    /**
     * As {@link #notReady()}, the instances answering {@code statusMix} to every request meanwhile.
     */
    public FaultSpec.NotReady notReady(String statusMix) {
      return new FaultSpec.NotReady(selector, Optional.of(StatusMix.parse(statusMix)));
    }

    /**
     * Readiness flapping over the fault's window (it needs a {@code lasting}): not ready for {@code
     * notReady}, ready for {@code ready}, and again; each flip pushed through the control plane.
     */
    public FaultSpec.Flap flapping(Duration notReady, Duration ready) {
      return new FaultSpec.Flap(selector, notReady, ready, Optional.empty());
    }

    /** As {@link #flapping(Duration, Duration)}, answering {@code statusMix} while not ready. */
    public FaultSpec.Flap flapping(Duration notReady, Duration ready, String statusMix) {
      return new FaultSpec.Flap(selector, notReady, ready, Optional.of(StatusMix.parse(statusMix)));
    }

    /**
     * An error rate rising from {@code from} to {@code to} in {@code steps} equal steps over the
     * fault's window (it needs a {@code lasting}).
     */
    public FaultSpec.Ramp errorRamp(double from, double to, String statusMix, int steps) {
      return new FaultSpec.Ramp(
          selector,
          new FaultSpec.ErrorRamp(from, to, StatusMix.parse(statusMix)),
          Optional.of(steps));
    }

    /**
     * A latency rising from {@code from} to {@code to} in {@code steps} equal steps over the
     * fault's window (it needs a {@code lasting}).
     */
    public FaultSpec.Ramp latencyRamp(Duration from, Duration to, int steps) {
      return new FaultSpec.Ramp(selector, new FaultSpec.LatencyRamp(from, to), Optional.of(steps));
    }

    /** Replaces the whole behaviour with {@code behavior}. */
    public FaultSpec.OnService behavior(Behavior behavior) {
      return effect(new ServiceFault.Replace(behavior));
    }

    /** The instances' processes killed while the fault lasts, restarted on their address after. */
    public FaultSpec.KillInstances kill() {
      return new FaultSpec.KillInstances(selector);
    }

    /**
     * These instances stopped gracefully while the fault lasts (not ready, in-flight requests
     * completed, then closed), started and ready again after.
     */
    public FaultSpec.DrainInstances drain() {
      return new FaultSpec.DrainInstances(selector);
    }

    /** The link from every caller's sidecar to these instances' sidecars. */
    public Links fromEveryCaller() {
      return new Links(Link.toSidecarsOf(selector));
    }

    /** The link from {@code client}'s sidecar to these instances' sidecars. */
    public Links from(String client) {
      return new Links(Link.between(client, selector));
    }

    /** The link from these instances' sidecars to their applications. */
    public Links sidecarToApp() {
      return new Links(Link.toAppOf(selector));
    }

    /** A rollback: these instances back to a healthy, ready behaviour. */
    public Rollback.RestoreService restore() {
      return new Rollback.RestoreService(selector);
    }

    /** Any effect, e.g. one read from a file. */
    public FaultSpec.OnService effect(ServiceFault.Effect effect) {
      return new FaultSpec.OnService(selector, effect);
    }
  }
}
