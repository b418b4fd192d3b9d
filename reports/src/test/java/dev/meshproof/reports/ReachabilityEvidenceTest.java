package dev.meshproof.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.expect.Expectations;
import dev.meshproof.scenario.result.ExpectationResult;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reachability matrix drawn from a judged reachability expectation. */
class ReachabilityEvidenceTest {

  private static RequestObservation call(int i, String from, boolean reached, int status) {
    RequestObservation.Builder b =
        RequestObservation.builder()
            .index(i)
            .requestId("id-" + from + i)
            .traffic(from)
            .from(from)
            .url("http://catalog/items")
            .kind(status == 0 ? HttpOutcome.Kind.RESET : HttpOutcome.Kind.RESPONSE)
            .status(status)
            .latency(Duration.ofMillis(3));
    if (reached) {
      b.service("catalog")
          .version("v1")
          .instance("catalog-v1-0")
          .responseHeaders(
              Map.of(
                  "x-echo-request-x-forwarded-client-cert",
                  List.of(
                      "By=spiffe://cluster.local/ns/default/sa/catalog;Hash=ab;Subject=\"\";"
                          + "URI=spiffe://cluster.local/ns/default/sa/sleep")));
    }
    return b.build();
  }

  @Test
  void eachCellShowsExpectedAgainstObservedAndMarksTheOnesThatDisagree() {
    List<RequestObservation> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(call(i, "client", true, 200));
      calls.add(call(i, "legacy", false, 0));
      calls.add(call(i, "intruder", true, 200));
    }
    ExpectationResult judged =
        Expectations.reachability()
            .allowed("client", "catalog")
            .denied("legacy", "catalog", "reset")
            .denied("intruder", "catalog", "403")
            .build()
            .evaluate(new Observations(calls));

    String html = new ReachabilityEvidence().drawExpectation(judged, new EvidenceHtml());

    assertThat(judged.passed()).isFalse();
    assertThat(judged.message()).contains("intruder → catalog allowed (expected 403)");
    assertThat(html)
        .contains("<th scope=\"col\">catalog</th>")
        .contains("<td class=\"passed\"")
        .contains("allowed / allowed")
        .contains("reset / reset")
        .contains("≠ 403 / allowed")
        .contains("peer spiffe://cluster.local/ns/default/sa/sleep");
  }

  @Test
  void otherExpectationsDrawNothing() {
    assertThat(
            new ReachabilityEvidence()
                .drawExpectation(
                    new ExpectationResult("x", true, "ok", Map.of("test", "t"), List.of()),
                    new EvidenceHtml()))
        .isEmpty();
  }
}
