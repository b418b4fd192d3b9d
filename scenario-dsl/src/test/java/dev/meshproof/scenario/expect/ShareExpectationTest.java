package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The share expectation's one-sided exact binomial test, and the {@code during} window it shares
 * with split: an endpoint that joins round robin (instances a, b, then c) judged in one phase.
 */
class ShareExpectationTest {

  /** One request every 20ms, served in turn by {@code cycle}'s instances. */
  private static List<RequestObservation> paced(int from, int count, String... cycle) {
    List<RequestObservation> requests = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      requests.add(
          RequestObservation.builder()
              .index(i)
              .requestId("req-" + i)
              .traffic("paced")
              .from("client")
              .url("http://catalog/")
              .kind(HttpOutcome.Kind.RESPONSE)
              .status(200)
              .service("catalog")
              .version("v1")
              .instance(cycle[(i - from) % cycle.length])
              .latency(Duration.ofMillis(1))
              .sentAt(Duration.ofMillis(20L * i))
              .build());
    }
    return requests;
  }

  /**
   * 0-2s: a and b; 2s-4s: c in one of 21 picks (weight 0.1 against 1 and 1: a warming endpoint);
   * 4s-6s: round robin over the three.
   */
  private static Observations warmingUp() {
    List<RequestObservation> requests = new ArrayList<>(paced(0, 100, "a", "b"));
    String[] warming = new String[21];
    for (int i = 0; i < 21; i++) {
      warming[i] = i == 20 ? "c" : i % 2 == 0 ? "a" : "b";
    }
    requests.addAll(paced(100, 100, warming));
    requests.addAll(paced(200, 100, "a", "b", "c"));
    return new Observations(requests);
  }

  private static ShareExpectation.Builder cInWarmup() {
    return Expectations.share("catalog")
        .instance("c")
        .forTraffic("paced")
        .sentDuring(Duration.ofSeconds(2), Duration.ofSeconds(4))
        .lessThan(1.0 / 3)
        .atAlpha(5e-6);
  }

  @Test
  void anEndpointFarBelowItsShareInTheWindowPasses() {
    ExpectationResult result = cInWarmup().build().evaluate(warmingUp());

    assertThat(result.passed()).as(result.message()).isTrue();
    assertThat(result.statistics())
        .containsEntry("attributed responses", "100")
        .containsEntry("served by c", "4")
        .containsEntry("alpha", "5.0E-6");
    assertThat(result.message()).contains("c served 4 of 100 (4.00%): significantly less than");
    assertThat(result.description())
        .isEqualTo(
            "instance c gets less than 33.33% of catalog's requests of traffic paced sent in"
                + " [2s, 4s) (exact binomial, one-sided, alpha 5.0E-6)");
  }

  @Test
  void theSameEndpointAtItsFairShareAfterTheWindowFails() {
    ExpectationResult result =
        Expectations.share("catalog")
            .instance("c")
            .sentDuring(Duration.ofSeconds(4), Duration.ofSeconds(6))
            .lessThan(1.0 / 3)
            .atAlpha(5e-6)
            .build()
            .evaluate(warmingUp());

    assertThat(result.passed()).isFalse();
    assertThat(result.message()).contains("c served 33 of 100", "NOT significantly less");
  }

  @Test
  void theRejectionRegionIsTheExactBinomialTail() {
    // P(X <= 13 | 100, 1/3) = 2.6e-6 < 5e-6 <= P(X <= 14 | 100, 1/3) = 7.2e-6.
    ExpectationResult result = cInWarmup().build().evaluate(warmingUp());

    assertThat(result.statistics()).containsEntry("rejects at most", "13");
  }

  @Test
  void theWindowSplitsTheTrafficIntoPhasesForASplitToo() {
    Map<String, Double> thirds = Map.of("a", 1.0 / 3, "b", 1.0 / 3, "c", 1.0 / 3);
    SplitExpectation after =
        Expectations.split("catalog")
            .byInstance(thirds)
            .sentDuring(Duration.ofSeconds(4), Duration.ofSeconds(6))
            .atAlpha(5e-6)
            .build();
    SplitExpectation inside =
        Expectations.split("catalog")
            .byInstance(thirds)
            .sentDuring(Duration.ofSeconds(2), Duration.ofSeconds(4))
            .atAlpha(5e-6)
            .build();

    assertThat(after.evaluate(warmingUp()).passed()).isTrue();
    assertThat(after.evaluate(warmingUp()).statistics())
        .containsEntry("attributed responses", "100");
    assertThat(inside.evaluate(warmingUp()).passed()).isFalse();
    assertThat(after.description()).contains("sent in [4s, 6s)");
    assertThat(after.toYaml().toString()).contains("during={from=PT4S, to=PT6S}", "byInstance=");
  }

  @Test
  void aWindowWithoutAnswersFailsSayingSo() {
    ExpectationResult result =
        Expectations.share("catalog")
            .instance("c")
            .sentDuring(Duration.ofSeconds(30), Duration.ofSeconds(31))
            .lessThan(0.5)
            .build()
            .evaluate(warmingUp());

    assertThat(result.passed()).isFalse();
    assertThat(result.message()).startsWith("no response from catalog in scope");
  }

  @Test
  void theBuilderRefusesAnEmptyWindowAndAShareOutsideTheUnitInterval() {
    assertThatThrownBy(
            () ->
                Expectations.share("catalog")
                    .sentDuring(Duration.ofSeconds(4), Duration.ofMillis(3500)))
        .hasMessage("to: 3.5s (expected: later than from 4s)");
    assertThatThrownBy(() -> Expectations.share("catalog").lessThan(0))
        .hasMessage("lessThan: 0.0 (expected: a fraction in (0, 1])");
    assertThatThrownBy(() -> Expectations.share("catalog").lessThan(0.5).build())
        .hasMessageStartingWith("instance: missing");
  }
}
