package dev.meshproof.k8s.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K3sThrowawayClusterTest {
  @TempDir Path dir;

  @Test
  void whatIsMissingIsNamedBeforeAnythingStarts() {
    K3sThrowawayCluster.Settings settings =
        new K3sThrowawayCluster.Settings(
            K3sThrowawayCluster.Settings.DEFAULT_IMAGE,
            dir.resolve("bin/istioctl"),
            List.of(dir.resolve("fake-services-image.tar")),
            Duration.ofMinutes(1));

    String reason = K3sThrowawayCluster.unavailableReason(settings).orElseThrow();
    assertThat(reason)
        .startsWith("a throwaway k3s cluster needs ")
        .contains("istioctl (" + dir.resolve("bin/istioctl") + " not found")
        .contains("-Dmeshproof.istioctl=PATH")
        .contains("the image tarball " + dir.resolve("fake-services-image.tar"))
        .contains("mvn -B -Pimages -pl k8s-envs -am package");
    if (!K3sThrowawayCluster.dockerAvailable()) {
      assertThat(reason).endsWith("a Docker engine (Testcontainers found none)");
    }
    // Nothing starts: the same reason, thrown.
    assertThatThrownBy(() -> K3sThrowawayCluster.start(settings))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(reason);
  }

  @Test
  void theTargetIsUnavailableWithTheSameReason() throws Exception {
    Path istioctl = Files.createDirectories(dir.resolve("bin")).resolve("istioctl");
    Files.writeString(istioctl, "#!/bin/sh\n");
    istioctl.toFile().setExecutable(true);
    Path tar = Files.writeString(dir.resolve("fake-services-image.tar"), "");
    K3sThrowawayCluster.Settings settings =
        new K3sThrowawayCluster.Settings(
            K3sThrowawayCluster.Settings.DEFAULT_IMAGE,
            istioctl,
            List.of(tar),
            Duration.ofMinutes(1));
    try (K3sKubernetesTarget target = new K3sKubernetesTarget(settings)) {
      assertThat(target.name()).isEqualTo("kubernetes");
      if (K3sThrowawayCluster.dockerAvailable()) {
        assertThat(target.unavailableReason()).isEmpty();
      } else {
        assertThat(target.unavailableReason())
            .hasValue("a throwaway k3s cluster needs a Docker engine (Testcontainers found none)");
      }
    }
  }
}
