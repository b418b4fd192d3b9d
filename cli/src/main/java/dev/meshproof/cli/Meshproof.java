package dev.meshproof.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code meshproof} command: runs scenario files on the embedded mesh and real Envoy, checks
 * them, compares Istio version profiles and lists the conformance catalogue.
 *
 * <p>Exit codes: {@value ExitCodes#PASSED} every expectation passed, {@value ExitCodes#FAILED} an
 * expectation failed (or a diff found differences), {@value ExitCodes#BAD_INPUT} bad input (a
 * scenario file or a flag), {@value ExitCodes#UNAVAILABLE} a requested target is unavailable.
 */
@Command(
    name = "meshproof",
    mixinStandardHelpOptions = true,
    versionProvider = Meshproof.Version.class,
    description = "Proves Istio service-mesh behaviour on loopback, from scenario files.",
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      AnalyzeCommand.class,
      DiffCommand.class,
      CatalogueCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every expectation passed",
      "1:an expectation failed (diff: the two runs differ)",
      "2:bad input: a scenario file, a flag or an argument",
      "3:a requested target is unavailable here (e.g. no Envoy installed)"
    })
public final class Meshproof {

  public static void main(String[] args) {
    // The control plane's per-stream INFO lines would bury the progress lines.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line with its output on {@code out} and {@code err}; returns the exit code.
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Meshproof());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExitCodeExceptionMapper(e -> ExitCodes.BAD_INPUT);
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // A bug of ours, not bad input: say so with the cause, still without a stack trace.
          cmd.getErr().println("meshproof: internal error: " + e);
          return ExitCodes.INTERNAL_ERROR;
        });
    return commandLine.execute(args);
  }

  /** The version of this build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"meshproof " + dev.meshproof.conformance.MeshproofVersion.VERSION};
    }
  }
}
