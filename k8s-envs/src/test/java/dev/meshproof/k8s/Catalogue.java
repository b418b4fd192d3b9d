package dev.meshproof.k8s;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The conformance catalogue's scenario files, read from the source tree beside this module. */
public final class Catalogue {
  /** The catalogue's directory (tests run with the module directory as working directory). */
  public static final Path DIR = Path.of("../conformance-suite/src/main/resources/conformance");

  private Catalogue() {}

  /** The file names listed in {@code catalogue.txt}, in order. */
  public static List<String> fileNames() {
    try {
      return Files.readAllLines(DIR.resolve("catalogue.txt")).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scenario of catalogue file {@code fileName}. */
  public static Scenario scenario(String fileName) {
    return ScenarioYaml.read(DIR.resolve(fileName)).scenario();
  }
}
