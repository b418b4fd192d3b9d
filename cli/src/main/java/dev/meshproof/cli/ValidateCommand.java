package dev.meshproof.cli;

import dev.meshproof.scenario.yaml.ScenarioFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof validate <file>...}: checks scenario files and their Istio YAML, runs nothing.
 */
@Command(
    name = "validate",
    description = "Checks scenario files (and the Istio YAML they apply) without running them.")
final class ValidateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "<file|dir>",
      description = "scenario files or directories")
  List<Path> files;

  @Override
  public Integer call() {
    Optional<List<ScenarioFile>> read = ScenarioInputs.readAll(files, spec.commandLine().getErr());
    if (read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    for (ScenarioFile file : read.get()) {
      spec.commandLine()
          .getOut()
          .printf(
              "ok %s: %s (%d services, %d traffic blocks, %d expectations)%n",
              file.source(),
              file.scenario().name(),
              file.scenario().services().size(),
              file.scenario().traffic().size(),
              file.scenario().expectations().size());
    }
    return ExitCodes.PASSED;
  }
}
