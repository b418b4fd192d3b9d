package dev.meshproof.runtime.registry;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The mesh's service registry: the instances of every service, as Istio learns them from Kubernetes
 * endpoints (deployed workloads) and from ServiceEntries (their endpoints and the WorkloadEntries
 * they select, recomputed on every apply). Thread-safe; the translator reads an immutable {@link
 * #instances()} copy.
 */
public final class ServiceRegistry {
  private final List<ServiceInstance> instances = new CopyOnWriteArrayList<>();
  private volatile List<ServiceInstance> serviceEntryInstances = List.of();
  private final Map<LinkKey, InetSocketAddress> links = new ConcurrentHashMap<>();

  /**
   * A caller's view of one callee instance rerouted through another address.
   *
   * @param caller {@code namespace/workload} of the calling proxy, or empty for every caller
   * @param callee {@code namespace/workload} of the called instance
   */
  private record LinkKey(Optional<String> caller, String callee) {}

  public void add(ServiceInstance instance) {
    instances.add(instance);
  }

  /**
   * Marks the instance of workload {@code namespace/workload} ready or not ready; a not-ready
   * instance is left out of EDS ({@link ServiceInstance#ready()}).
   *
   * @throws IllegalArgumentException when no such instance is registered
   */
  public synchronized void setReady(String namespace, String workload, boolean ready) {
    boolean found = false;
    for (int i = 0; i < instances.size(); i++) {
      ServiceInstance instance = instances.get(i);
      if (instance.namespace().equals(namespace) && instance.workload().equals(workload)) {
        instances.set(i, instance.withReady(ready));
        found = true;
      }
    }
    if (!found) {
      throw new IllegalArgumentException(
          "workload: " + namespace + "/" + workload + " (expected: a deployed service instance)");
    }
  }

  /**
   * Sends what {@code caller} (or every caller, when empty) sends to the instance of {@code callee}
   * to {@code via} instead, e.g. a toxic proxy in front of the callee's sidecar. Endpoints change,
   * not the translation: both data planes get the same EDS.
   *
   * @param caller {@code namespace/workload}, or empty for every caller
   * @param callee {@code namespace/workload}
   */
  public void routeLink(Optional<String> caller, String callee, InetSocketAddress via) {
    links.put(
        new LinkKey(Objects.requireNonNull(caller, "caller"), Objects.requireNonNull(callee)),
        Objects.requireNonNull(via, "via"));
  }

  /**
   * The instances as the proxy of {@code namespace/workload} reaches them: {@link #instances()}
   * with each rerouted link's endpoint replaced (a link of this caller before one of every caller).
   */
  public List<ServiceInstance> instancesSeenBy(
      List<ServiceInstance> instances, String namespace, String workload) {
    if (links.isEmpty()) {
      return instances;
    }
    Optional<String> caller = Optional.of(namespace + "/" + workload);
    List<ServiceInstance> seen = new ArrayList<>(instances.size());
    for (ServiceInstance instance : instances) {
      String callee = instance.namespace() + "/" + instance.workload();
      InetSocketAddress via = links.get(new LinkKey(caller, callee));
      if (via == null) {
        via = links.get(new LinkKey(Optional.empty(), callee));
      }
      seen.add(via == null ? instance : instance.withEndpoint(via));
    }
    return List.copyOf(seen);
  }

  /** Replaces the instances that come from ServiceEntries, as istiod's ServiceEntry controller. */
  public void replaceServiceEntryInstances(List<ServiceInstance> fromServiceEntries) {
    serviceEntryInstances = List.copyOf(fromServiceEntries);
  }

  /** Deployed workloads' instances, then ServiceEntry instances. */
  public List<ServiceInstance> instances() {
    List<ServiceInstance> all = new ArrayList<>(instances);
    all.addAll(serviceEntryInstances);
    return List.copyOf(all);
  }
}
