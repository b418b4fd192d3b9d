package dev.meshproof.cli;

import static dev.meshproof.cli.MeshproofTest.SCENARIOS;
import static dev.meshproof.cli.MeshproofTest.meshproof;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.cli.MeshproofTest.Outcome;
import org.junit.jupiter.api.Test;

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
}
