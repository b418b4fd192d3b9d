package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.runtime.IstioVersionProfile;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allure's environment names the emulated release with its profile, as the reports do. */
class AllureEnvironmentTest {

  @Test
  void theEnvironmentNamesTheProfileOfTheRunAndEveryProfileAScenarioUsed(@TempDir Path dir)
      throws Exception {
    IstioVersionProfile run =
        IstioVersionProfile.of(IstioVersion.of("1.30.2"), IstioVersion.of("1.30.2"));
    String older = IstioVersionProfile.of(IstioVersion.of("1.23")).describe();

    AllureEvidence.writeEnvironment(
        dir, run, List.of(run.describe(), older), List.of("embedded", "envoy"), List.of(7L));

    Properties environment = new Properties();
    try (Reader in = Files.newBufferedReader(dir.resolve("environment.properties"))) {
      environment.load(in);
    }
    assertThat(environment.getProperty("Istio.version.emulated"))
        .isEqualTo("1.30.2 (profile 1.29)");
    assertThat(environment.getProperty("Istio.profiles.run"))
        .isEqualTo("1.30.2 (profile 1.29), " + older);
    assertThat(environment.getProperty("Targets")).isEqualTo("embedded, envoy");
    assertThat(dir.resolve("categories.json")).isRegularFile();
  }
}
