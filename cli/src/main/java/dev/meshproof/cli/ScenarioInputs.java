package dev.meshproof.cli;

import dev.meshproof.scenario.yaml.InvalidScenarioException;
import dev.meshproof.scenario.yaml.ScenarioFile;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The scenario files named on the command line: a file as given, a directory as every {@code
 * *.scenario.yaml} below it. All are read before anything runs, so a bad file stops the run before
 * the first scenario starts.
 */
final class ScenarioInputs {
  static final String SUFFIX = ".scenario.yaml";

  private ScenarioInputs() {}

  /** The files, or empty after printing every problem of every file to {@code err}. */
  static Optional<List<ScenarioFile>> readAll(List<Path> paths, PrintWriter err) {
    List<ScenarioFile> files = new ArrayList<>();
    boolean ok = true;
    for (Path file : expand(paths, err)) {
      try {
        files.add(ScenarioYaml.read(file));
      } catch (InvalidScenarioException e) {
        err.println(e.getMessage());
        ok = false;
      }
    }
    if (ok && files.isEmpty()) {
      err.println(
          "no scenario files in "
              + paths
              + " (expected: files, or directories with *"
              + SUFFIX
              + ")");
      ok = false;
    }
    return ok ? Optional.of(files) : Optional.empty();
  }

  private static List<Path> expand(List<Path> paths, PrintWriter err) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        files.add(path);
      }
    }
    return files;
  }
}
