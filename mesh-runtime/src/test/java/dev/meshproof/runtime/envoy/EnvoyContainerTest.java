package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.envoy.EnvoyDataPlane.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;

/**
 * Where the envoy target's Envoy comes from, and the container it would start, checked without a
 * Docker engine (none on the build machines; {@code EnvoyContainerIT} starts one where it exists).
 */
class EnvoyContainerTest {

  private static final Optional<String> NO_BINARY = Optional.of("no Envoy binary");
  private static final Optional<String> NO_DOCKER = Optional.of("no Docker engine");

  @Test
  void autoPrefersTheBinaryAndFallsBackToTheContainer() {
    assertThat(EnvoyDataPlane.unavailableReason(Runtime.AUTO, Optional::empty, () -> NO_DOCKER))
        .isEmpty();
    assertThat(EnvoyDataPlane.unavailableReason(Runtime.AUTO, () -> NO_BINARY, Optional::empty))
        .isEmpty();
    assertThat(EnvoyDataPlane.unavailableReason(Runtime.AUTO, () -> NO_BINARY, () -> NO_DOCKER))
        .contains("no Envoy binary; and no Docker engine");
  }

  @Test
  void anExplicitRuntimeNeedsExactlyWhatItNames() {
    assertThat(EnvoyDataPlane.unavailableReason(Runtime.BINARY, () -> NO_BINARY, Optional::empty))
        .isEqualTo(NO_BINARY);
    assertThat(
            EnvoyDataPlane.unavailableReason(Runtime.CONTAINER, Optional::empty, () -> NO_DOCKER))
        .isEqualTo(NO_DOCKER);
  }

  @Test
  void anUnknownRuntimeIsRefusedNamingTheAllowedValues() {
    String before = System.getProperty(EnvoyDataPlane.RUNTIME_PROPERTY);
    System.setProperty(EnvoyDataPlane.RUNTIME_PROPERTY, "podman");
    try {
      assertThatThrownBy(Runtime::fromSystemProperty)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "-Dmeshproof.envoy.runtime=podman is not a runtime; allowed: auto, binary,"
                  + " container");
    } finally {
      if (before == null) {
        System.clearProperty(EnvoyDataPlane.RUNTIME_PROPERTY);
      } else {
        System.setProperty(EnvoyDataPlane.RUNTIME_PROPERTY, before);
      }
    }
  }

  @Test
  @SuppressWarnings("resource") // never started
  void theContainerSharesTheHostNetworkAndRunsEnvoyWithTheSameBootstrapAndArguments(
      @TempDir Path dir) throws Exception {
    Path bootstrap = Files.writeString(dir.resolve("bootstrap.json"), "{}");

    GenericContainer<?> container =
        EnvoyContainer.definition(bootstrap, List.of("--concurrency", "1"));

    assertThat(EnvoyContainer.image()).isEqualTo("envoyproxy/envoy:v1.40.0");
    assertThat(container.getNetworkMode()).isEqualTo("host");
    assertThat(container.getCommandParts())
        .containsExactly(
            "envoy", "--config-path", EnvoyContainer.BOOTSTRAP_PATH, "--concurrency", "1");
    assertThat(container.getCopyToFileContainerPathMap().values())
        .containsExactly(EnvoyContainer.BOOTSTRAP_PATH);
    assertThat(container.getExposedPorts()).isEmpty();
  }
}
