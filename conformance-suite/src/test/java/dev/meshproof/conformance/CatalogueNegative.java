package dev.meshproof.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioYaml;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * The negative half of a catalogue entry: its scenario file run with the mesh feature it proves
 * taken out (its scenario text edited, one of its Istio files edited, or every Istio file it names
 * replaced), once per target. The *CatalogueNegativeIT classes state the change and what must then
 * fail; this class reads, edits, parses and runs, and skips a target that skips the run.
 *
 * <p>Immutable: each change returns a new value, so one negative can be the base of another.
 */
final class CatalogueNegative {
  private final String file;
  private final String change;
  private final UnaryOperator<String> scenarioEdit;
  private final Function<String, Optional<String>> istioFiles;
  private final Set<String> editedFiles;

  private CatalogueNegative(
      String file,
      String change,
      UnaryOperator<String> scenarioEdit,
      Function<String, Optional<String>> istioFiles,
      Set<String> editedFiles) {
    this.file = file;
    this.change = change;
    this.scenarioEdit = scenarioEdit;
    this.istioFiles = istioFiles;
    this.editedFiles = Set.copyOf(editedFiles);
  }

  /**
   * The catalogue's scenario {@code file} as it is, described by {@code change} (as "without its
   * tcp route") in test names and in the parsed scenario's source.
   */
  static CatalogueNegative of(String file, String change) {
    return new CatalogueNegative(
        file, change, UnaryOperator.identity(), CatalogueNegative::catalogueFile, Set.of());
  }

  /** The catalogue file {@code name} (beside the scenario files), which must exist. */
  static String read(String name) {
    return catalogueFile(name)
        .orElseThrow(() -> new IllegalStateException(name + " is missing from the catalogue"));
  }

  /** With the scenario text edited by {@code edit}, which must change it. */
  CatalogueNegative scenario(UnaryOperator<String> edit) {
    UnaryOperator<String> before = scenarioEdit;
    return new CatalogueNegative(
        file, change, text -> changed(file, before.apply(text), edit), istioFiles, editedFiles);
  }

  /**
   * With the Istio file {@code name} edited by {@code edit}, which must change it; the scenario
   * must name the file.
   */
  CatalogueNegative istioFile(String name, UnaryOperator<String> edit) {
    Function<String, Optional<String>> before = istioFiles;
    Set<String> edited = new HashSet<>(editedFiles);
    edited.add(name);
    return new CatalogueNegative(
        file,
        change,
        scenarioEdit,
        requested ->
            requested.equals(name)
                ? before.apply(requested).map(text -> changed(name, text, edit))
                : before.apply(requested),
        edited);
  }

  /** With every Istio file the scenario names replaced by {@code yaml}. */
  CatalogueNegative everyIstioFile(String yaml) {
    return new CatalogueNegative(
        file, change, scenarioEdit, requested -> Optional.of(yaml), Set.of());
  }

  /** The test name on {@code target}: the file, the change and the target. */
  String name(Target target) {
    return file + " " + change + " on " + target.name();
  }

  /**
   * Runs the changed scenario on {@code target}; a skipped run skips the test (with its reason), as
   * the catalogue skips a target that lacks a feature.
   */
  ScenarioResult run(Target target) {
    String text = scenarioEdit.apply(read(file));
    Set<String> read = new HashSet<>();
    Scenario scenario =
        ScenarioYaml.parse(
                file + " (" + change + ")",
                text,
                name -> {
                  read.add(name);
                  return istioFiles.apply(name);
                })
            .scenario();
    // An edit of a file the scenario does not name would leave the entry unchanged.
    assertThat(read).as("the Istio files " + file + " names").containsAll(editedFiles);
    ScenarioResult result = ScenarioRunner.run(scenario, target);
    Assumptions.assumeFalse(
        result.status() == Status.SKIPPED, () -> result.failure().orElse("skipped"));
    return result;
  }

  /** Runs the changed scenario on {@code target} and checks that it ran and failed. */
  ScenarioResult runFailing(Target target) {
    ScenarioResult result = run(target);
    assertThat(result.status()).as(result.failureSummary()).isEqualTo(Status.FAILED);
    return result;
  }

  /**
   * One test per target: the changed scenario fails there (it runs to a FAILED verdict) and its
   * result satisfies {@code check} (which expectations failed and why).
   */
  Stream<DynamicTest> failsOnEveryTarget(Consumer<ScenarioResult> check) {
    return ConformanceTargets.all().stream()
        .map(
            target ->
                DynamicTest.dynamicTest(name(target), () -> check.accept(runFailing(target))));
  }

  /**
   * One test per target whose result satisfies {@code check}, for a change that need not reach a
   * verdict (a scenario refused before anything is deployed).
   */
  Stream<DynamicTest> onEveryTarget(Consumer<ScenarioResult> check) {
    return ConformanceTargets.all().stream()
        .map(target -> DynamicTest.dynamicTest(name(target), () -> check.accept(run(target))));
  }

  private static String changed(String name, String text, UnaryOperator<String> edit) {
    String edited = edit.apply(text);
    assertThat(edited).as("the negative's edit of " + name).isNotEqualTo(text);
    return edited;
  }

  private static Optional<String> catalogueFile(String name) {
    return Catalogue.resource(Catalogue.DIRECTORY + name);
  }
}
