package dev.meshproof.fake;

import java.util.Objects;

/**
 * Who a fake workload is, in Kubernetes terms: the {@code app} label (service), the {@code version}
 * label, the pod-like instance name and the namespace. Every fake service reports it in its answers
 * so a scenario can tell which subset and which endpoint the mesh routed a request to.
 */
public record WorkloadIdentity(String service, String version, String instance, String namespace) {

  /** Validates each field: non-blank, no whitespace. */
  public WorkloadIdentity {
    service = checkName("service", service);
    version = checkName("version", version);
    instance = checkName("instance", instance);
    namespace = checkName("namespace", namespace);
  }

  /** The Kubernetes-style pod name; here the instance name. */
  public String pod() {
    return instance;
  }

  /** Builds an identity with the defaults: instance {@code service-version-0}. */
  public static WorkloadIdentity of(String service, String version) {
    return new WorkloadIdentity(service, version, service + "-" + version + "-0", "default");
  }

  static String checkName(String field, String value) {
    Objects.requireNonNull(value, field);
    if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException(
          field + ": \"" + value + "\" (expected: a non-blank name without whitespace)");
    }
    return value;
  }
}
