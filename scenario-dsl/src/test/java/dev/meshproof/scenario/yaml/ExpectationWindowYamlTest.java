package dev.meshproof.scenario.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.scenario.Scenario;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A split or share judged over one phase of a traffic block: {@code during: {from, to}}. */
class ExpectationWindowYamlTest {
  private static final String WARMUP =
      """
      name: warmup
      services:
        - name: catalog
          versions: {v1: 2}
      clients: [client]
      traffic:
        - name: paced
          from: client
          url: http://catalog/
          every: 20ms
          duration: 18s
          requests: 1000
      chaos:
        - at: 6500ms
          scale: {name: catalog, version: v1, replicas: 3}
      expect:
        - share:
            service: catalog
            instance: catalog-v1-2
            traffic: paced
            during: {from: 9s, to: 11500ms}
            lessThan: 0.3333333333333333
            alpha: 5.0E-6
        - split:
            service: catalog
            during: {from: 15500ms, to: 18s}
            byInstance: {catalog-v1-0: 0.5, catalog-v1-1: 0.5}
      """;

  private static ScenarioFile parse(String text) {
    return ScenarioYaml.parse("w.yaml", text, f -> Optional.empty());
  }

  private static String problems(String text) {
    try {
      parse(text);
    } catch (InvalidScenarioException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected problems in:\n" + text);
  }

  @Test
  void aWindowedShareAndSplitAreReadAndWrittenBackTheSame() {
    Scenario scenario = parse(WARMUP).scenario();

    assertThat(scenario.expectations())
        .extracting(e -> e.description())
        .containsExactly(
            "instance catalog-v1-2 gets less than 33.33% of catalog's requests of traffic paced"
                + " sent in [9s, 11.5s) (exact binomial, one-sided, alpha 5.0E-6)",
            "split of catalog sent in [15.5s, 18s) by instance is catalog-v1-0 50%/catalog-v1-1"
                + " 50% (chi-square goodness of fit, alpha 0.001)");
    String written = ScenarioYaml.write(scenario, java.util.Map.of(), false);
    assertThat(written).contains("during:", "from: 9s", "to: 11500ms", "lessThan:");
    assertThat(parse(written).scenario().expectations())
        .extracting(e -> e.description())
        .isEqualTo(scenario.expectations().stream().map(e -> e.description()).toList());
  }

  @Test
  void aWindowThatEndsBeforeItStartsIsRefusedWhereItWasWritten() {
    String text = WARMUP.replace("during: {from: 9s, to: 11500ms}", "during: {from: 9s, to: 9s}");

    assertThat(problems(text))
        .contains("w.yaml:21:15: expect[0].share.during: to: 9s (expected: later than from 9s)");
  }

  @Test
  void aWindowAfterItsTrafficEndsIsRefused() {
    String text = WARMUP.replace("from: 15500ms, to: 18s", "from: 18s, to: 20s");

    assertThat(problems(text))
        .contains(
            "expect[1].split.during.from: 18s is not before the end of traffic paced (duration"
                + " 18s), so no request could be judged (expected: from < 18s)");
  }

  @Test
  void aWindowOverSeveralTrafficBlocksMustNameOne() {
    String text =
        WARMUP.replace(
            "chaos:",
            """
              - name: later
                from: client
                url: http://catalog/
            chaos:""");

    assertThat(problems(text))
        .contains(
            "expect[1].split.during: a window over 2 traffic blocks, each timed from its own"
                + " start (expected: name one with traffic: beside during, one of [paced, later])");
  }

  @Test
  void aWindowNeedsBothEndsAndAShareNamesWhoseShare() {
    assertThat(problems(WARMUP.replace("during: {from: 9s, to: 11500ms}", "during: {from: 9s}")))
        .contains("expect[0].share.during.to: required field is missing");
    assertThat(problems(WARMUP.replace("instance: catalog-v1-2", "traffic2: x")))
        .contains("expect[0].share: none of the alternatives (expected: exactly one of [instance,");
  }
}
