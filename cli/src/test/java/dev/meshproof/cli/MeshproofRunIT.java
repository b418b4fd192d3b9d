package dev.meshproof.cli;

import static dev.meshproof.cli.MeshproofTest.SCENARIOS;
import static dev.meshproof.cli.MeshproofTest.meshproof;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshproof.cli.MeshproofTest.Outcome;
import dev.meshproof.runtime.envoy.EnvoyDataPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshproof run} and {@code diff} on the embedded mesh. */
class MeshproofRunIT {

  @Test
  void runPrintsProgressAndASummaryAndExitsZeroWhenEveryExpectationPasses() {
    Outcome outcome =
        meshproof(
            "run",
            "--seed",
            "7",
            SCENARIOS.resolve("retries-not-retried.scenario.yaml").toString());

    assertThat(outcome.code()).as(outcome.out() + outcome.err()).isZero();
    assertThat(outcome.out())
        .contains("[1/1] catalog 503 not retried by default on embedded (10 requests planned)")
        .contains("[1/1] PASSED: 10 requests sent in")
        .containsPattern("catalog 503 not retried by default +embedded +PASSED +1/1 +10 ")
        .contains("1 passed, 0 failed, 0 skipped");
  }

  @Test
  void aFailedExpectationExitsOneWithItsEvidence() {
    Outcome outcome =
        meshproof("run", SCENARIOS.resolve("wrong-expectation.scenario.yaml").toString());

    assertThat(outcome.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(outcome.out()).contains("FAILED").contains("0 passed, 1 failed");
  }

  @Test
  void diffShowsTheDefaultRetryPolicyChangeBetweenIstioProfiles() {
    Outcome outcome =
        meshproof(
            "diff",
            "--istio",
            "1.23",
            "--istio",
            "1.32",
            SCENARIOS.resolve("retries-not-retried.scenario.yaml").toString());

    assertThat(outcome.code()).as(outcome.out() + outcome.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(outcome.out())
        .contains("ISTIO 1.23.0")
        .contains("ISTIO 1.32.0")
        .containsPattern("\\* +every request is never retried.* +FAIL: .* +pass: ")
        .contains("the two profiles behave differently");
  }

  @Test
  void runOnSeveralTargetsComparesThemInTheSummaryAndTheReport(@TempDir Path report)
      throws Exception {
    assumeTrue(
        EnvoyDataPlane.unavailableReason().isEmpty(),
        () -> EnvoyDataPlane.unavailableReason().orElse(""));
    Outcome outcome =
        meshproof(
            "run",
            "--target",
            "all",
            "--report",
            report.toString(),
            SCENARIOS.resolve("split-50-50.scenario.yaml").toString());

    // The split is judged on each target; the comparison of the two distributions (chi-square
    // homogeneity at alpha 0.001, unseeded on Envoy) is in the report whatever it decided, and a
    // difference it found is printed and fails the run.
    assertThat(outcome.out()).contains("[1/2]", "[2/2]", "2 passed");
    String html = Files.readString(report.resolve("report.html"));
    assertThat(html)
        .contains("<th scope=\"col\">embedded</th><th scope=\"col\">envoy</th>")
        .contains("<h4>Across targets</h4>");
    if (outcome.code() != ExitCodes.PASSED) {
      assertThat(outcome.code()).isEqualTo(ExitCodes.FAILED);
      assertThat(outcome.out()).contains("across targets, catalog split 50/50: ");
    }
  }
}
