package dev.meshproof.runtime.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The mesh's service registry: the instances of every service, as Istio learns them from Kubernetes
 * endpoints. Thread-safe; the translator reads an immutable {@link #instances()} copy.
 */
public final class ServiceRegistry {
  private final List<ServiceInstance> instances = new CopyOnWriteArrayList<>();

  public void add(ServiceInstance instance) {
    instances.add(instance);
  }

  public List<ServiceInstance> instances() {
    return List.copyOf(instances);
  }
}
