package dev.meshproof.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof analyze <path>...}: the Istio configuration analyzer ({@code
 * dev.meshproof.runtime.analyze}) is not on main yet; until it is, this says so and exits 2.
 */
@Command(name = "analyze", description = "Analyzes Istio YAML for mistakes (not yet available).")
final class AnalyzeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "<path>",
      description = "Istio YAML files or directories")
  List<Path> paths;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "meshproof analyze: not yet available in this build (the analyzer is being built);"
                + " use `meshproof validate` for scenario files");
    return ExitCodes.BAD_INPUT;
  }
}
