package dev.meshproof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.result.ScenarioResult;
import dev.meshproof.scenario.result.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that run no mesh: exit codes and messages. */
class MeshproofTest {
  static final Path SCENARIOS = Path.of("src/test/resources/scenarios");

  /** Exit code, standard output and standard error of one command line. */
  record Outcome(int code, String out, String err) {}

  static Outcome meshproof(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Meshproof.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void validateAcceptsAGoodFileAndExitsZero() {
    Outcome outcome =
        meshproof("validate", SCENARIOS.resolve("retries-not-retried.scenario.yaml").toString());

    assertThat(outcome.code()).isZero();
    assertThat(outcome.out()).contains("ok ").contains("catalog 503 not retried by default");
  }

  @Test
  void aMisspeltKeyFailsAtItsLineWithASuggestionAndNoStackTrace(@TempDir Path dir)
      throws IOException {
    String good = Files.readString(SCENARIOS.resolve("retries-not-retried.scenario.yaml"));
    Path bad = dir.resolve("bad.scenario.yaml");
    Files.writeString(bad, good.replace("    requests: 10", "    reqests: 10"));
    Files.copy(SCENARIOS.resolve("retries.yaml"), dir.resolve("retries.yaml"));

    for (String command : List.of("validate", "run")) {
      Outcome outcome = meshproof(command, bad.toString());

      assertThat(outcome.code()).as(command).isEqualTo(ExitCodes.BAD_INPUT);
      assertThat(outcome.err())
          .contains(
              bad
                  + ":12:5: traffic[0].reqests: unknown field \"reqests\", did you mean"
                  + " \"requests\"?")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
      assertThat(outcome.out()).as("nothing half-runs").doesNotContain("[1/");
    }
  }

  @Test
  void aBadFlagIsBadInput() {
    assertThat(meshproof("run", "--target", "nope", "x.yaml").code())
        .isEqualTo(ExitCodes.BAD_INPUT);
    Outcome istio = meshproof("run", "--istio", "0.9", SCENARIOS.toString());
    assertThat(istio.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(istio.err()).contains("--istio 0.9:");
    assertThat(meshproof("diff", "--istio", "1.28", "x.yaml").err()).contains("exactly twice");
  }

  @Test
  void analyzePrintsFindingsAndExitsOneOnAnError(@TempDir Path dir) throws IOException {
    Path istio = dir.resolve("istio");
    Files.createDirectories(istio);
    Files.writeString(
        istio.resolve("catalog.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: catalog
        spec:
          ports:
          - name: http
            port: 80
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: catalog
        spec:
          hosts: [catalog]
          http:
          - route:
            - destination:
                host: catalog
                subset: v3
        """);

    Outcome outcome = meshproof("analyze", istio.toString());

    assertThat(outcome.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(outcome.out())
        .contains("IST0101 Error VirtualService catalog " + istio.resolve("catalog.yaml") + ":")
        .contains("1 finding (1 error)");
    assertThat(outcome.err()).isEmpty();
  }

  @Test
  void analyzeExitsZeroWithoutErrorsAndTwoOnAMissingPath(@TempDir Path dir) throws IOException {
    Path clean = dir.resolve("svc.yaml");
    Files.writeString(
        clean,
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: catalog
        spec:
          ports:
          - name: web
            port: 80
        """);

    Outcome warningsOnly = meshproof("analyze", clean.toString());
    assertThat(warningsOnly.code()).isZero();
    assertThat(warningsOnly.out()).contains("IST0118 Info Service catalog").contains("(0 errors)");

    Outcome missing = meshproof("analyze", dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(missing.err()).contains("nope").doesNotContain("Exception");
  }

  @Test
  void catalogueListsAndExportsEveryEntry(@TempDir Path dir) {
    Outcome outcome = meshproof("catalogue", "--export", dir.toString());

    assertThat(outcome.code()).isZero();
    assertThat(outcome.out()).contains("mesh-http-route-weight-90-10").contains("MeshRetries");
    assertThat(dir.resolve("mesh-http-route-weight-90-10.scenario.yaml")).exists();
    assertThat(dir.resolve("mesh-http-route-weight-90-10.yaml")).exists();
    assertThat(dir.resolve("jwt-testing.jwk.json")).as("a jwt issuer's key").exists();
    assertThat(meshproof("validate", dir.toString()).code()).isZero();
  }

  @Test
  void theKubernetesTargetWithoutAReadableKubeconfigIsUnavailableWithTheReason(@TempDir Path dir) {
    Path missing = dir.resolve("no-kubeconfig");
    Outcome run =
        meshproof(
            "run",
            "--target",
            "kubernetes",
            "--kubeconfig",
            missing.toString(),
            SCENARIOS.toString());
    assertThat(run.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run.out() + run.err()).contains("kubeconfig " + missing + " cannot be read");

    Outcome snapshot =
        meshproof(
            "run",
            "--config-from-cluster",
            "--kubeconfig",
            missing.toString(),
            SCENARIOS.toString());
    assertThat(snapshot.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(snapshot.err()).contains("--config-from-cluster: cannot read the cluster");
  }

  @Test
  void aThrowawayK3sClusterThatCannotStartIsUnavailableWithWhatIsMissing() {
    // Run from cli/: no image tarballs in target/ (and no Docker engine on the build machines).
    Outcome run =
        meshproof(
            "run",
            "--target",
            "kubernetes",
            "--k3s",
            SCENARIOS.resolve("retries-not-retried.scenario.yaml").toString());
    assertThat(run.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run.out())
        .contains("a throwaway k3s cluster needs")
        .contains("fake-services-image.tar");
  }

  @Test
  void exitCodesRankFailureAboveAnUnavailableTarget() {
    ScenarioResult passed = result(Status.PASSED);
    ScenarioResult skipped = result(Status.SKIPPED);
    ScenarioResult failed = result(Status.FAILED);

    assertThat(RunCommand.exitCode(List.of(passed))).isEqualTo(ExitCodes.PASSED);
    assertThat(RunCommand.exitCode(List.of(passed, skipped))).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(RunCommand.exitCode(List.of(skipped, failed))).isEqualTo(ExitCodes.FAILED);
  }

  private static ScenarioResult result(Status status) {
    return ScenarioResult.builder("s", "embedded", 1)
        .status(status)
        .started(java.time.Instant.EPOCH)
        .build();
  }
}
