package dev.meshproof.cli;

import dev.meshproof.runtime.IstioVersion;
import dev.meshproof.scenario.Scenario;
import dev.meshproof.scenario.ScenarioRunner;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import dev.meshproof.scenario.targets.Target;
import dev.meshproof.scenario.yaml.ScenarioFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshproof diff --istio A --istio B <scenario>}: the same scenario, with the same seed,
 * under two Istio version profiles; verdicts and response codes side by side, differences marked.
 * Exits 1 when a verdict or a status count differs.
 */
@Command(
    name = "diff",
    description = "Runs one scenario under two Istio version profiles and shows what differs.")
final class DiffCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--istio",
      arity = "1",
      required = true,
      paramLabel = "VERSION",
      description =
          "give it twice: the two Istio releases to compare, e.g. --istio 1.28 --istio 1.32")
  List<String> versions;

  @Option(
      names = "--target",
      defaultValue = "embedded",
      description = "embedded or envoy (default: ${DEFAULT-VALUE})")
  TargetChoice target;

  @Parameters(arity = "1", paramLabel = "<scenario>", description = "a scenario file")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (versions.size() != 2) {
      err.println("--istio: given " + versions.size() + " times (expected: exactly twice)");
      return ExitCodes.BAD_INPUT;
    }
    if (target == TargetChoice.all) {
      err.println("--target all (expected: embedded or envoy; diff compares versions on one)");
      return ExitCodes.BAD_INPUT;
    }
    Optional<IstioVersion> a = Options.istioVersion(versions.get(0), err);
    Optional<IstioVersion> b = Options.istioVersion(versions.get(1), err);
    Optional<List<ScenarioFile>> read = ScenarioInputs.readAll(List.of(file), err);
    if (a.isEmpty() || b.isEmpty() || read.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario = read.get().get(0).scenario();
    Target on = target.targets().get(0);
    out.printf(
        "%s on %s under Istio %s and %s (seed %d)%n",
        scenario.name(), on.name(), a.get(), b.get(), scenario.seed());
    ScenarioResult left = ScenarioRunner.run(scenario.withIstioVersion(a.get()), on);
    ScenarioResult right = ScenarioRunner.run(scenario.withIstioVersion(b.get()), on);
    if (left.status() == Status.SKIPPED || right.status() == Status.SKIPPED) {
      err.println(on.name() + " is unavailable: " + left.failure().orElse(""));
      return ExitCodes.UNAVAILABLE;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "", "ISTIO " + a.get(), "ISTIO " + b.get()});
    boolean differs = row(rows, "result", left.status().name(), right.status().name());
    for (int i = 0; i < Math.max(left.expectations().size(), right.expectations().size()); i++) {
      differs |=
          row(
              rows,
              scenario.expectations().get(i).description(),
              verdict(left.expectations(), i),
              verdict(right.expectations(), i));
    }
    TreeSet<Integer> statuses = new TreeSet<>(left.traffic().statusCounts().keySet());
    statuses.addAll(right.traffic().statusCounts().keySet());
    for (int status : statuses) {
      differs |=
          row(
              rows,
              "responses " + status,
              String.valueOf(left.traffic().statusCounts().getOrDefault(status, 0L)),
              String.valueOf(right.traffic().statusCounts().getOrDefault(status, 0L)));
    }
    differs |=
        row(
            rows,
            "timeouts, resets, connect failures",
            left.traffic().timeouts()
                + ", "
                + left.traffic().resets()
                + ", "
                + left.traffic().connectFailures(),
            right.traffic().timeouts()
                + ", "
                + right.traffic().resets()
                + ", "
                + right.traffic().connectFailures());
    out.print(SummaryTable.table(rows));
    out.println(differs ? "the two profiles behave differently (rows marked *)" : "no difference");
    return differs ? ExitCodes.FAILED : ExitCodes.PASSED;
  }

  private static String verdict(List<ExpectationResult> results, int i) {
    if (i >= results.size()) {
      return "not judged";
    }
    return (results.get(i).passed() ? "pass: " : "FAIL: ") + results.get(i).message();
  }

  private static boolean row(List<String[]> rows, String what, String left, String right) {
    boolean differs = !sameVerdict(left, right);
    rows.add(new String[] {differs ? "*" : "", what, left, right});
    return differs;
  }

  /** Verdicts differ when pass/fail differs; counts when their text differs. */
  private static boolean sameVerdict(String left, String right) {
    if (left.startsWith("pass") || left.startsWith("FAIL")) {
      return left.substring(0, 4).equals(right.substring(0, Math.min(4, right.length())));
    }
    return left.equals(right);
  }
}
