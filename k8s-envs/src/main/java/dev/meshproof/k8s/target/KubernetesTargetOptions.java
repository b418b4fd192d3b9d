package dev.meshproof.k8s.target;

import dev.meshproof.k8s.manifest.ManifestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how the kubernetes target runs: the kubeconfig and context naming the cluster, how long
 * a rollout may take, how long Istio's configuration is given to reach the sidecars, and the
 * manifests' images.
 *
 * @param kubeconfig the kubeconfig file
 * @param context the context to use; empty for the kubeconfig's current context
 * @param rolloutTimeout how long every Deployment of a scenario may take to become ready
 * @param configPropagation how long the target waits after applying Istio YAML before traffic: the
 *     sidecars' ACKs are istiod's to see, not the API server's
 * @param manifests images and pull policy of the generated manifests
 */
public record KubernetesTargetOptions(
    Path kubeconfig,
    Optional<String> context,
    Duration rolloutTimeout,
    Duration configPropagation,
    ManifestOptions manifests) {

  /** The system property naming the kubeconfig: setting it opts in to the kubernetes target. */
  public static final String KUBECONFIG_PROPERTY = "meshproof.kubernetes.kubeconfig";

  /** The system property naming the kubeconfig context. */
  public static final String CONTEXT_PROPERTY = "meshproof.kubernetes.context";

  /** The system property bounding each rollout, as an ISO-8601 duration or seconds. */
  public static final String ROLLOUT_TIMEOUT_PROPERTY = "meshproof.kubernetes.rolloutTimeout";

  public KubernetesTargetOptions {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(context, "context");
    positive("rolloutTimeout", rolloutTimeout);
    Objects.requireNonNull(configPropagation, "configPropagation");
    Objects.requireNonNull(manifests, "manifests");
  }

  /** Options for {@code kubeconfig} and {@code context} with the default timings and images. */
  public static KubernetesTargetOptions of(Path kubeconfig, Optional<String> context) {
    return new KubernetesTargetOptions(
        kubeconfig,
        context,
        Duration.ofMinutes(5),
        Duration.ofSeconds(10),
        ManifestOptions.defaults());
  }

  /** The options the system properties give, or empty when the target was not opted in to. */
  public static Optional<KubernetesTargetOptions> fromSystemProperties() {
    return fromProperties(System.getProperties());
  }

  /** The options {@code properties} give, or empty when they do not opt in to the target. */
  public static Optional<KubernetesTargetOptions> fromProperties(java.util.Properties properties) {
    String kubeconfig = properties.getProperty(KUBECONFIG_PROPERTY);
    if (kubeconfig == null || kubeconfig.isBlank()) {
      return Optional.empty();
    }
    KubernetesTargetOptions o =
        of(
            Path.of(kubeconfig),
            Optional.ofNullable(properties.getProperty(CONTEXT_PROPERTY))
                .filter(c -> !c.isBlank()));
    String timeout = properties.getProperty(ROLLOUT_TIMEOUT_PROPERTY);
    if (timeout != null && !timeout.isBlank()) {
      o = o.withRolloutTimeout(parse(ROLLOUT_TIMEOUT_PROPERTY, timeout));
    }
    return Optional.of(o);
  }

  /** These options with another rollout timeout. */
  public KubernetesTargetOptions withRolloutTimeout(Duration timeout) {
    return new KubernetesTargetOptions(kubeconfig, context, timeout, configPropagation, manifests);
  }

  /** These options with other manifest options. */
  public KubernetesTargetOptions withManifests(ManifestOptions options) {
    return new KubernetesTargetOptions(
        kubeconfig, context, rolloutTimeout, configPropagation, options);
  }

  private static Duration parse(String field, String value) {
    try {
      return value.startsWith("P") || value.startsWith("p")
          ? Duration.parse(value)
          : Duration.ofSeconds(Long.parseLong(value));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: seconds, e.g. 300, or an ISO-8601 duration, PT5M)");
    }
  }

  private static void positive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: > 0)");
    }
  }
}
