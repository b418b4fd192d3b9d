package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.Fault;
import dev.meshproof.chaos.InstanceFault;
import dev.meshproof.chaos.InstanceHandle;
import dev.meshproof.chaos.NetworkFault;
import dev.meshproof.chaos.ProxyFault;
import dev.meshproof.chaos.ServiceFault;
import dev.meshproof.chaos.ServiceTarget;
import dev.meshproof.chaos.network.ToxicProxy;
import java.util.List;
import java.util.Objects;

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
        FaultSpec.Scale {

  /** The fault over this deployment's handles. */
  Fault resolve(ChaosHandles handles);

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
}
