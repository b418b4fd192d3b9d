package dev.meshproof.cli;

import dev.meshproof.runtime.analyze.Analyzer;
import dev.meshproof.runtime.analyze.Finding;
import dev.meshproof.runtime.analyze.MessageCode;
import dev.meshproof.runtime.config.InvalidConfigException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof analyze <path>...}: Meshproof's {@code istioctl analyze} ({@link Analyzer}) on
 * Kubernetes and Istio YAML files and directories, offline. Prints one finding a line ({@code CODE
 * Level resource file:line message}); exits {@value ExitCodes#PASSED} when no finding is an error,
 * {@value ExitCodes#FAILED} when one is, {@value ExitCodes#BAD_INPUT} when a path cannot be read.
 */
@Command(
    name = "analyze",
    description =
        "Analyzes Kubernetes and Istio YAML for mistakes (Istio's message codes); exit 1 on an"
            + " Error finding.")
final class AnalyzeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "<path>",
      description = "Kubernetes/Istio YAML files or directories (*.yaml, *.yml below them)")
  List<Path> paths;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Finding> findings;
    try {
      findings = Analyzer.analyze(paths);
    } catch (IllegalArgumentException | InvalidConfigException | UncheckedIOException e) {
      err.println("meshproof analyze: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    findings.forEach(out::println);
    long errors = findings.stream().filter(f -> f.level() == MessageCode.Level.ERROR).count();
    out.printf(
        "%d finding%s (%d error%s)%n",
        findings.size(), findings.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s");
    return errors > 0 ? ExitCodes.FAILED : ExitCodes.PASSED;
  }
}
