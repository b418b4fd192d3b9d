package dev.meshproof.scenario.yaml;

import dev.meshproof.runtime.config.ConfigProblem;
import dev.meshproof.runtime.config.IstioYamlParser;
import dev.meshproof.scenario.Scenario;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Scenario files: YAML that maps one to one onto the Java {@link Scenario} DSL. {@link #read}
 * checks a file against {@link ScenarioSchema} and builds the scenario, or throws an {@link
 * InvalidScenarioException} listing every problem with file:line:column (unknown keys with a "did
 * you mean", allowed values, Istio YAML problems); {@link #write} writes a scenario back.
 *
 * <pre>
 * # yaml-language-server: $schema=../schema/scenario.schema.json
 * name: catalog canary 90/10
 * services:
 *   - name: catalog
 *     versions: {v1: 1, v2: 1}
 * clients: [client]
 * istio:
 *   - file: catalog-canary.yaml
 * traffic:
 *   - from: client
 *     url: http://catalog/
 *     requests: 2000
 * expect:
 *   - split: {service: catalog, byVersion: {v1: 0.9, v2: 0.1}, alpha: 0.001}
 * </pre>
 */
public final class ScenarioYaml {
  private ScenarioYaml() {}

  /**
   * Reads a scenario file; Istio files it names are resolved relative to it, and the commands of
   * its own apps run in its directory.
   *
   * @throws InvalidScenarioException listing every problem; nothing of the scenario runs then
   */
  public static ScenarioFile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidScenarioException(
          List.of(new ConfigProblem(file.toString(), 1, 1, "", "cannot read: " + e)));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(
        file.toString(),
        text,
        relative -> {
          Path istio = dir.resolve(relative);
          return Files.isRegularFile(istio)
              ? Optional.of(IstioYamlParser.readUtf8(istio))
              : Optional.empty();
        },
        Optional.of(dir));
  }

  /**
   * Parses scenario text; {@code istioFiles} returns the text of an Istio file the scenario names
   * by relative path, or empty when there is none.
   *
   * @throws InvalidScenarioException listing every problem
   */
  public static ScenarioFile parse(
      String source, String text, Function<String, Optional<String>> istioFiles) {
    return parse(source, text, istioFiles, Optional.empty());
  }

  /**
   * As {@link #parse(String, String, Function)}, for a scenario file in {@code directory}: the
   * commands of its own apps run there (empty: in the caller's working directory).
   */
  public static ScenarioFile parse(
      String source,
      String text,
      Function<String, Optional<String>> istioFiles,
      Optional<Path> directory) {
    List<ConfigProblem> problems = new ArrayList<>();
    Node root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new InvalidScenarioException(
          List.of(
              new ConfigProblem(
                  source,
                  mark == null ? 1 : mark.getLine() + 1,
                  mark == null ? 1 : mark.getColumn() + 1,
                  "",
                  "not valid YAML: " + e.getProblem())));
    }
    if (root == null) {
      throw new InvalidScenarioException(
          List.of(
              new ConfigProblem(
                  source,
                  1,
                  1,
                  "",
                  "empty file (expected: a scenario with name, clients and" + " traffic)")));
    }
    ShapeReader reader = new ShapeReader(source, problems);
    Optional<Value> value = reader.read(root, ScenarioSchema.SCENARIO, "");
    if (value.isEmpty()) {
      throw new InvalidScenarioException(problems);
    }
    ScenarioFile file =
        new ScenarioReader(source, reader, istioFiles, value.get(), directory).build();
    if (!problems.isEmpty()) {
      throw new InvalidScenarioException(problems);
    }
    return file;
  }

  /**
   * Writes {@code scenario} as a scenario file. With {@code istioAsFiles} each Istio source is
   * written as {@code file: <its source name>} (the catalogue keeps its manifests beside the
   * scenario), otherwise inline.
   *
   * @throws UnsupportedOperationException when the scenario holds something written in Java only,
   *     such as a custom expectation or a replaced behaviour
   */
  public static String write(
      Scenario scenario, Map<String, String> metadata, boolean istioAsFiles) {
    return ScenarioWriter.write(scenario, metadata, istioAsFiles);
  }
}
