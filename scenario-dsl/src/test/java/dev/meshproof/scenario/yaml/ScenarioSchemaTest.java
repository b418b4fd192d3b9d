package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema is the one generated from {@link ScenarioSchema}, and every scenario
 * file in the repository validates against it. {@code -Dmeshproof.updateSchema=true} rewrites the
 * published file.
 */
class ScenarioSchemaTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path PUBLISHED = ROOT.resolve(ScenarioSchema.PUBLISHED_PATH);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void thePublishedSchemaIsGeneratedFromTheModel() throws IOException {
    if (Boolean.getBoolean("meshproof.updateSchema")) {
      Files.createDirectories(PUBLISHED.getParent());
      Files.writeString(PUBLISHED, ScenarioSchema.jsonSchema());
    }
    assertThat(Files.readString(PUBLISHED, StandardCharsets.UTF_8))
        .as("%s is stale: run mvn -pl scenario-dsl test -Dmeshproof.updateSchema=true", PUBLISHED)
        .isEqualTo(ScenarioSchema.jsonSchema());
  }

  @Test
  void everyScenarioFileInTheRepositoryValidates() throws IOException {
    Schema schema = schema();
    List<Path> files = scenarioFiles();

    assertThat(files).hasSizeGreaterThanOrEqualTo(20);
    for (Path file : files) {
      List<Error> errors = schema.validate(YAML.readTree(file.toFile()));
      assertThat(errors).as(file.toString()).isEmpty();
      assertThat(ScenarioYaml.read(file).scenario().name()).isNotBlank();
    }
  }

  @Test
  void theSchemaRejectsAMisspeltKeyAndAWrongKind() throws IOException {
    JsonNode misspelt =
        YAML.readTree(
            "name: x\nclients: [c]\ntraffic:\n  - {from: c, url: 'http://a/', reqests: 1}\n");
    JsonNode twoKinds =
        YAML.readTree(
            "name: x\nclients: [c]\ntraffic:\n  - {from: c, url: 'http://a/'}\n"
                + "expect:\n  - {successRate: {atLeast: 0.9}, overflows: {none: true}}\n");

    assertThat(schema().validate(misspelt))
        .extracting(Error::getMessage)
        .anyMatch(m -> m.contains("reqests"));
    assertThat(schema().validate(twoKinds)).isNotEmpty();
  }

  private static Schema schema() {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(ScenarioSchema.jsonSchema());
  }

  /** Scenario files: {@code *.scenario.yaml} anywhere, and the examples' {@code src/test/mesh}. */
  static List<Path> scenarioFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git"))
          .filter(
              p ->
                  p.getFileName().toString().endsWith(".scenario.yaml")
                      || (p.toString().contains("/src/test/mesh/")
                          && p.getFileName().toString().endsWith(".yaml")
                          && !p.toString().contains("/istio/")))
          .sorted()
          .toList();
    }
  }
}
