package dev.meshproof.k8s.manifest;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a scenario becomes Kubernetes manifests: the images its pods run and the namespace it gets.
 *
 * @param fakeServicesImage the image of the fake services ({@code k8s-envs} builds it with Jib)
 * @param trafficRunnerImage the image of the in-cluster traffic runner the client workloads run
 * @param namespace the namespace to create; empty for {@code meshproof-<scenario name>}
 * @param imagePullPolicy {@code IfNotPresent} (images loaded into kind), {@code Always} or {@code
 *     Never}
 */
public record ManifestOptions(
    String fakeServicesImage,
    String trafficRunnerImage,
    Optional<String> namespace,
    String imagePullPolicy) {

  /** The system property naming the fake-services image. */
  public static final String FAKE_SERVICES_IMAGE_PROPERTY = "meshproof.image.fakeServices";

  /** The system property naming the traffic-runner image. */
  public static final String TRAFFIC_RUNNER_IMAGE_PROPERTY = "meshproof.image.trafficRunner";

  /** The image names {@code k8s-envs}' Jib configuration builds by default. */
  public static final String DEFAULT_FAKE_SERVICES_IMAGE = "meshproof/fake-services:0.1.0-SNAPSHOT";

  public static final String DEFAULT_TRAFFIC_RUNNER_IMAGE =
      "meshproof/traffic-runner:0.1.0-SNAPSHOT";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public ManifestOptions {
    Objects.requireNonNull(fakeServicesImage, "fakeServicesImage");
    Objects.requireNonNull(trafficRunnerImage, "trafficRunnerImage");
    Objects.requireNonNull(namespace, "namespace");
    if (!java.util.List.of("IfNotPresent", "Always", "Never").contains(imagePullPolicy)) {
      throw new IllegalArgumentException(
          "imagePullPolicy: "
              + imagePullPolicy
              + " (expected one of [IfNotPresent, Always, Never])");
    }
    namespace.ifPresent(
        ns -> {
          if (!DNS_LABEL.matcher(ns).matches()) {
            throw new IllegalArgumentException(
                "namespace: "
                    + ns
                    + " (expected: a DNS label, lower-case letters, digits and '-', at most 63)");
          }
        });
  }

  /** The default images (or those the system properties name), the default namespace. */
  public static ManifestOptions defaults() {
    return new ManifestOptions(
        System.getProperty(FAKE_SERVICES_IMAGE_PROPERTY, DEFAULT_FAKE_SERVICES_IMAGE),
        System.getProperty(TRAFFIC_RUNNER_IMAGE_PROPERTY, DEFAULT_TRAFFIC_RUNNER_IMAGE),
        Optional.empty(),
        "IfNotPresent");
  }

  /** These options with the namespace {@code ns}. */
  public ManifestOptions inNamespace(String ns) {
    return new ManifestOptions(
        fakeServicesImage, trafficRunnerImage, Optional.of(ns), imagePullPolicy);
  }
}
