package dev.meshproof.scenario.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** {@link MeshproofScenarios} runs each file as a test named after its scenario. */
class MeshproofScenariosIT {

  @Test
  void eachFileIsATestNamedAfterItsScenarioFailingWithItsEvidence() throws IOException {
    Path dir = Path.of("target/junit-fixture");
    Files.createDirectories(dir);
    Path fixture = Path.of("src/test/resources/junit-fixture");
    Files.copy(
        fixture.resolve("wrong-split.scenario.yaml"),
        dir.resolve("wrong-split.scenario.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        fixture.resolve("misspelt.scenario.yaml.txt"),
        dir.resolve("misspelt.scenario.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    List<String> finished = new ArrayList<>();

    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(ScenarioFilesFixture.class))
                .build(),
            new TestExecutionListener() {
              @Override
              public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                  finished.add(
                      id.getDisplayName()
                          + " -> "
                          + result.getStatus()
                          + ": "
                          + result.getThrowable().map(Throwable::getMessage).orElse(""));
                }
              }
            });

    assertThat(finished).hasSize(2);
    assertThat(finished)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("catalog wrongly expected to split 50/50 [embedded] -> FAILED:")
                    .contains("v1=40"));
    assertThat(finished)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("misspelt.scenario.yaml [embedded] -> FAILED: invalid scenario")
                    .contains("misspelt.scenario.yaml:6:5: traffic[0].reqests: unknown field")
                    .contains("did you mean \"requests\"?"));
  }
}
