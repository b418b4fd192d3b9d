package dev.meshproof.runtime.registry;

import java.util.ArrayList;
import java.util.List;
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

  public void add(ServiceInstance instance) {
    instances.add(instance);
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
