package dev.meshproof.k8s.k3s;

import dev.meshproof.common.Executables;
import dev.meshproof.k8s.target.KubernetesTarget;
import dev.meshproof.k8s.target.KubernetesTargetOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A throwaway single-node cluster for the kubernetes target, where a Docker engine exists: k3s in a
 * container (Testcontainers' k3s module), Meshproof's two images imported into its containerd from
 * the tarballs Jib wrote (no registry), and Istio installed by the user's {@code istioctl}, so
 * {@code --target kubernetes --k3s} needs no cluster of the user's own. Closing it removes the
 * container (Testcontainers' reaper also does if the JVM dies).
 *
 * <p>{@link #unavailableReason(Settings)} says what is missing (a Docker engine, istioctl, the
 * image tarballs) before anything starts, as the envoy target does without Envoy.
 */
public final class K3sThrowawayCluster implements AutoCloseable {
  private final K3sContainer container;
  private final Path kubeconfig;

  /**
   * What the throwaway cluster is made of.
   *
   * @param image the k3s image (a Kubernetes release Istio supports)
   * @param istioctl the istioctl of the Istio release to install
   * @param images the image tarballs to import (Jib's {@code fake-services-image.tar} and {@code
   *     traffic-runner-image.tar})
   * @param rolloutTimeout how long istiod may take to become ready
   */
  public record Settings(String image, Path istioctl, List<Path> images, Duration rolloutTimeout) {
    /** The system property enabling the throwaway cluster for the conformance suite. */
    public static final String ENABLED_PROPERTY = "meshproof.kubernetes.k3s";

    /** The system property naming the k3s image. */
    public static final String IMAGE_PROPERTY = "meshproof.k3s.image";

    /** The system property naming istioctl (default: {@code $ISTIOCTL}, else istioctl on PATH). */
    public static final String ISTIOCTL_PROPERTY = "meshproof.istioctl";

    /** The system property naming the directory of the image tarballs. */
    public static final String IMAGES_PROPERTY = "meshproof.k3s.images";

    /** Kubernetes 1.34, within the releases Istio 1.32 supports. */
    public static final String DEFAULT_IMAGE = "rancher/k3s:v1.34.1-k3s1";

    public Settings {
      images = List.copyOf(images);
    }

    /**
     * The settings the system properties give: the image, istioctl, and the tarballs {@code mvn
     * -Pimages -pl k8s-envs -am package} writes to {@code k8s-envs/target} (or the directory {@code
     * meshproof.k3s.images} names).
     */
    public static Settings fromSystemProperties() {
      String istioctl =
          System.getProperty(
              ISTIOCTL_PROPERTY, Optional.ofNullable(System.getenv("ISTIOCTL")).orElse("istioctl"));
      Path dir =
          Path.of(
              System.getProperty(
                  IMAGES_PROPERTY,
                  Files.isDirectory(Path.of("k8s-envs", "target")) ? "k8s-envs/target" : "target"));
      return new Settings(
          System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE),
          Path.of(istioctl),
          List.of(dir.resolve("fake-services-image.tar"), dir.resolve("traffic-runner-image.tar")),
          Duration.ofMinutes(5));
    }
  }

  private K3sThrowawayCluster(K3sContainer container, Path kubeconfig) {
    this.container = container;
    this.kubeconfig = kubeconfig;
  }

  /** Why a throwaway cluster cannot start here, with what to install; empty when it can. */
  public static Optional<String> unavailableReason(Settings settings) {
    List<String> missing = new ArrayList<>();
    Optional<Path> istioctl = Executables.find(settings.istioctl());
    if (istioctl.isEmpty()) {
      missing.add(
          "istioctl ("
              + settings.istioctl()
              + " not found; name the one of your Istio release with -D"
              + Settings.ISTIOCTL_PROPERTY
              + "=PATH or $ISTIOCTL)");
    }
    for (Path image : settings.images()) {
      if (!Files.isRegularFile(image)) {
        missing.add(
            "the image tarball "
                + image
                + " (mvn -B -Pimages -pl k8s-envs -am package -DskipUTs writes it)");
      }
    }
    if (!dockerAvailable()) {
      missing.add("a Docker engine (Testcontainers found none)");
    }
    return missing.isEmpty()
        ? Optional.empty()
        : Optional.of("a throwaway k3s cluster needs " + String.join(", ", missing));
  }

  /**
   * Starts k3s, imports the images, installs Istio's default profile and waits for istiod.
   *
   * @throws IllegalStateException naming the step that failed, with its output
   */
  public static K3sThrowawayCluster start(Settings settings) {
    unavailableReason(settings)
        .ifPresent(
            r -> {
              throw new IllegalStateException(r);
            });
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(settings.image()));
    k3s.start();
    try {
      Path kubeconfig = Files.createTempFile("meshproof-k3s-", ".kubeconfig");
      Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
      K3sThrowawayCluster cluster = new K3sThrowawayCluster(k3s, kubeconfig);
      for (Path image : settings.images()) {
        String inContainer = "/tmp/" + image.getFileName();
        k3s.copyFileToContainer(MountableFile.forHostPath(image), inContainer);
        check(
            "import " + image.getFileName(),
            k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", inContainer));
      }
      run(
          "istioctl install",
          List.of(
              Executables.find(settings.istioctl()).orElseThrow().toString(),
              "install",
              "--kubeconfig",
              kubeconfig.toString(),
              "-y",
              "--set",
              "profile=default"),
          settings.rolloutTimeout());
      try (KubernetesClient client = KubernetesTarget.connect(cluster.targetOptions())) {
        client
            .apps()
            .deployments()
            .inNamespace("istio-system")
            .withName("istiod")
            .waitUntilReady(settings.rolloutTimeout().toSeconds(), TimeUnit.SECONDS);
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      k3s.stop();
      throw e instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("throwaway k3s cluster: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      k3s.stop();
      throw new IllegalStateException("throwaway k3s cluster: interrupted", e);
    }
  }

  /** The kubeconfig of the cluster (its API server on a loopback port Docker maps). */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The kubernetes target's options on this cluster: the images were imported, never pulled. */
  public KubernetesTargetOptions targetOptions() {
    return KubernetesTargetOptions.of(kubeconfig, Optional.empty());
  }

  @Override
  public void close() {
    try {
      container.stop();
    } finally {
      try {
        Files.deleteIfExists(kubeconfig);
      } catch (IOException e) {
        // A temporary file the OS cleans; the cluster itself is gone.
      }
    }
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static void check(String step, ExecResult result) {
    if (result.getExitCode() != 0) {
      throw new IllegalStateException(
          "throwaway k3s cluster: "
              + step
              + " failed ("
              + result.getExitCode()
              + "): "
              + result.getStderr()
              + result.getStdout());
    }
  }

  private static void run(String step, List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("meshproof-k3s-", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "throwaway k3s cluster: "
                + step
                + " took longer than "
                + timeout
                + ": "
                + Files.readString(log));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "throwaway k3s cluster: "
                + step
                + " failed ("
                + p.exitValue()
                + "): "
                + Files.readString(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
