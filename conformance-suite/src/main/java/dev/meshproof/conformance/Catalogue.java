package dev.meshproof.conformance;

import dev.meshproof.scenario.yaml.ScenarioFile;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The conformance catalogue: every test Meshproof runs against a target. Each encodes a behaviour
 * the Istio documentation promises, with a stated statistical test where the behaviour is random.
 *
 * <p>The catalogue is data: each entry is a scenario file {@code conformance/<id>.scenario.yaml}
 * (listed in {@code conformance/catalogue.txt}) whose {@code metadata} holds its id, feature,
 * description and spec reference, beside the Istio manifest {@code conformance/<id>.yaml} it
 * applies. A user copies one as a starting point.
 */
public final class Catalogue {
  static final String DIRECTORY = "conformance/";
  static final String INDEX = DIRECTORY + "catalogue.txt";

  private Catalogue() {}

  public static List<ConformanceTest> all() {
    return fromFiles();
  }

  /** The entries written as scenario files, in the order of {@code catalogue.txt}. */
  public static List<ConformanceTest> fromFiles() {
    return Arrays.stream(resource(INDEX).orElseThrow(() -> missing(INDEX)).split("\n"))
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(Catalogue::fromFile)
        .toList();
  }

  /** The scenario file {@code name} of the catalogue, read with the manifests beside it. */
  static ScenarioFile scenarioFile(String name) {
    String path = DIRECTORY + name;
    return ScenarioYaml.parse(
        path,
        resource(path).orElseThrow(() -> missing(path)),
        relative -> resource(DIRECTORY + relative));
  }

  private static ConformanceTest fromFile(String name) {
    return entry(name, scenarioFile(name));
  }

  /** The entry a scenario file describes in its {@code metadata}. */
  static ConformanceTest entry(String name, ScenarioFile file) {
    String id = metadata(file, "id");
    if (!name.equals(id + ".scenario.yaml")) {
      throw new IllegalStateException(
          DIRECTORY + name + ": metadata.id " + id + " (expected: the file's base name)");
    }
    Feature feature;
    try {
      feature = Feature.valueOf(metadata(file, "feature"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          DIRECTORY
              + name
              + ": metadata.feature "
              + metadata(file, "feature")
              + " (expected one of "
              + Arrays.toString(Feature.values())
              + ")",
          e);
    }
    return new ConformanceTest(
        id,
        feature,
        metadata(file, "description"),
        metadata(file, "specReference"),
        manifest -> file.scenario());
  }

  private static String metadata(ScenarioFile file, String key) {
    return file.metadata(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    file.source() + ": metadata." + key + " is missing (expected in every entry)"));
  }

  static Optional<String> resource(String path) {
    try (InputStream in = Catalogue.class.getClassLoader().getResourceAsStream(path)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  private static IllegalStateException missing(String path) {
    return new IllegalStateException(path + " is missing from the conformance catalogue");
  }
}
