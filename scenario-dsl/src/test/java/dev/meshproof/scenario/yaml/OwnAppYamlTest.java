package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.AppSpec;
import dev.meshproof.scenario.ServiceSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A version's app as the user's own server or command, in scenario files. */
class OwnAppYamlTest {

  private static String file(String apps, String versions) {
    return """
        name: own
        services:
          - name: catalog
            versions: %s
            apps:
        %s
        clients: [web]
        traffic:
          - {from: web, url: "http://catalog/"}
        """
        .formatted(versions, apps);
  }

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse("own.yaml", text, f -> Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void anAddressAndACommandReadAndWriteBack() {
    ScenarioFile read =
        parse(
            file(
                """
                      v1: {address: "127.0.0.1:8081"}
                      v2: {command: [./my-app, --port, "${port}"], env: {MODE: test}, startTimeout: 5s}
                """,
                "{v1: 1, v2: 2}"));

    ServiceSpec catalog = read.scenario().services().get(0);
    assertThat(catalog.app("v1")).contains(AppSpec.Listening.parse("127.0.0.1:8081"));
    assertThat(catalog.app("v2"))
        .contains(
            new AppSpec.Command(
                List.of("./my-app", "--port", "${port}"),
                Map.of("MODE", "test"),
                Duration.ofSeconds(5)));
    String written = ScenarioYaml.write(read.scenario(), Map.of(), false);
    assertThat(ScenarioYaml.write(parse(written).scenario(), Map.of(), false)).isEqualTo(written);
    assertThat(parse(written).scenario().services()).isEqualTo(read.scenario().services());
  }

  @Test
  void aCommandReadFromAFileRunsInTheFilesDirectoryNotTheCallers(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path scenario = dir.resolve("sub").resolve("own.scenario.yaml");
    java.nio.file.Files.createDirectories(scenario.getParent());
    java.nio.file.Files.writeString(
        scenario, file("      v1: {command: [./my-app, \"${port}\"]}\n", "{v1: 1}"));

    AppSpec.Command fromFile =
        (AppSpec.Command) ScenarioYaml.read(scenario).scenario().services().get(0).app("v1").get();
    AppSpec.Command fromText =
        (AppSpec.Command)
            parse(file("      v1: {command: [./my-app]}\n", "{v1: 1}"))
                .scenario()
                .services()
                .get(0)
                .app("v1")
                .get();

    assertThat(fromFile.workingDir()).contains(scenario.getParent().toAbsolutePath());
    assertThat(fromFile.directory()).isEqualTo(scenario.getParent().toAbsolutePath());
    // Text without a file (and a Java scenario) keeps the caller's working directory.
    assertThat(fromText.workingDir()).isEmpty();
    assertThat(fromText.directory()).isEqualTo(java.nio.file.Path.of("").toAbsolutePath());
    // The directory is where the file is, not part of what the file says: writing omits it.
    assertThat(ScenarioYaml.write(ScenarioYaml.read(scenario).scenario(), Map.of(), false))
        .doesNotContain(dir.toString());
  }

  @Test
  void anAddressOffLoopbackIsRefusedAtItsEntry() {
    assertThat(problems(file("          v1: {address: \"10.0.0.1:80\"}\n", "{v1: 1}")))
        .contains(
            "own.yaml:6:15: services[0].apps.v1: address: 10.0.0.1:80 (expected: 127.0.0.1:<port>");
  }

  @Test
  void oneAddressForTwoReplicasIsRefused() {
    assertThat(problems(file("          v1: {address: \"127.0.0.1:80\"}\n", "{v1: 2}")))
        .contains("apps: v1 has 2 replicas but one address");
  }

  @Test
  void anUndeclaredVersionListsTheDeclaredOnes() {
    assertThat(problems(file("          v3: {address: \"127.0.0.1:80\"}\n", "{v1: 1}")))
        .contains("apps: v3 is not a version of service catalog (expected one of [v1])");
  }

  @Test
  void addressAndCommandTogetherAreRefused() {
    assertThat(
            problems(file("          v1: {address: \"127.0.0.1:80\", command: [x]}\n", "{v1: 1}")))
        .contains("own.yaml:6:15: services[0].apps.v1:")
        .contains("address")
        .contains("command")
        .doesNotContain("Exception");
  }
}
