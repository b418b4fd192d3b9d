package dev.meshproof.scenario.chaos;

import dev.meshproof.chaos.ServiceTarget;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Names the service instances a fault acts on, as Kubernetes labels and pod names would: every
 * instance of a service, those of one version, or one instance (pod) by name.
 *
 * @param service the service, e.g. {@code reviews}
 * @param version the {@code version} label, or empty for every version
 * @param instance the instance (pod) name, e.g. {@code reviews-v2-0}, or empty for all selected
 */
public record InstanceSelector(
    String service, Optional<String> version, Optional<String> instance) {

  /** Checks a service name and non-blank optional parts. */
  public InstanceSelector {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("service: \"" + service + "\" (expected: a service name)");
    }
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(instance, "instance");
    version.filter(String::isBlank).ifPresent(v -> blank("version"));
    instance.filter(String::isBlank).ifPresent(i -> blank("instance"));
  }

  /** Whether the instance {@code instance} of {@code service} at {@code version} is selected. */
  public boolean selects(String service, String version, String instance) {
    return this.service.equals(service)
        && this.version.map(version::equals).orElse(true)
        && this.instance.map(instance::equals).orElse(true);
  }

  /** The selected running instances. */
  List<ServiceTarget> select(ChaosHandles handles) {
    List<ServiceTarget> byVersion =
        version.map(v -> handles.instances(service, v)).orElseGet(() -> handles.instances(service));
    return byVersion.stream().filter(t -> instance.map(t.name()::equals).orElse(true)).toList();
  }

  @Override
  public String toString() {
    return service + version.map(v -> " " + v).orElse("") + instance.map(i -> " " + i).orElse("");
  }

  private static void blank(String field) {
    throw new IllegalArgumentException(field + ": blank (expected: a name, or none for all)");
  }
}
