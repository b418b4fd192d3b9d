package dev.meshproof.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Instances stopped, as a pod crash or scale-down: their sidecars' upstream connections are
 * refused, which Envoy reports as UF and counts towards outlier ejection. Inject stops each
 * instance; revert starts each again. What "stop" means is the handle's (an abrupt kill, a graceful
 * drain, a scale-down); {@code action} says it in the event log.
 *
 * @param instances the instances, at least one
 * @param action what stop does, for the event log, e.g. {@code stopped}, {@code drained}
 */
public record InstanceFault(List<InstanceHandle> instances, String action) implements Fault {

  /** Checks at least one instance and an action. */
  public InstanceFault {
    Objects.requireNonNull(instances, "instances");
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("instances: [] (expected: at least one instance)");
    }
    instances = List.copyOf(instances);
    if (action == null || action.isBlank()) {
      throw new IllegalArgumentException(
          "action: \"" + action + "\" (expected: what stop does, e.g. stopped, drained)");
    }
  }

  /** {@code instances} stopped while active. */
  public InstanceFault(List<InstanceHandle> instances) {
    this(instances, "stopped");
  }

  /** Stops {@code instances} while active. */
  public static InstanceFault stop(InstanceHandle... instances) {
    return new InstanceFault(List.of(instances));
  }

  @Override
  public String description() {
    return "instance "
        + instances.stream().map(InstanceHandle::name).collect(Collectors.joining(","))
        + ": "
        + action;
  }

  @Override
  public Injection inject() {
    List<InstanceHandle> stopped = new ArrayList<>();
    try {
      for (InstanceHandle instance : instances) {
        instance.stop();
        stopped.add(instance);
      }
    } catch (RuntimeException e) {
      stopped.forEach(InstanceHandle::start);
      throw e;
    }
    return () -> startAll(stopped);
  }

  private static void startAll(List<InstanceHandle> stopped) {
    // Start every instance even when one fails, then report the first failure.
    RuntimeException first = null;
    for (InstanceHandle instance : stopped) {
      try {
        instance.start();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
