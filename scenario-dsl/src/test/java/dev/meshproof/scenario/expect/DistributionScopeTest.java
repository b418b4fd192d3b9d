package dev.meshproof.scenario.expect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.traffic.Observations;
import dev.meshproof.scenario.traffic.RequestObservation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which requests split and share judge, and who they attribute each to. */
class DistributionScopeTest {

  private static RequestObservation request(
      int index, String traffic, long sentAtMillis, String service, String instance) {
    RequestObservation.Builder r =
        RequestObservation.builder()
            .index(index)
            .requestId("req-" + index)
            .traffic(traffic)
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.RESPONSE)
            .status(200)
            .version("v1")
            .latency(Duration.ofMillis(1))
            .sentAt(Duration.ofMillis(sentAtMillis));
    if (service != null) {
      r.service(service);
    }
    if (instance != null) {
      r.instance(instance);
    }
    return r.build();
  }

  private static final Observations OBSERVATIONS =
      new Observations(
          List.of(
              request(0, "paced", 100, "catalog", "b"),
              request(1, "paced", 200, "catalog", "a"),
              request(2, "paced", 300, "catalog", "b"),
              // another service's answer, and one that names no instance: in scope, unattributed
              request(3, "paced", 400, "reviews", "r"),
              request(4, "paced", 500, "catalog", null),
              // outside the window
              request(5, "paced", 900, "catalog", "a"),
              // another traffic block
              request(6, "other", 200, "catalog", "a")));

  @Test
  void countsTheBlocksRequestsInTheWindowPerInstanceInNameOrder() {
    DistributionScope scope =
        new DistributionScope(
            "catalog",
            SplitExpectation.Dimension.INSTANCE,
            Optional.of("paced"),
            Optional.of(new TrafficWindow(Duration.ofMillis(100), Duration.ofMillis(900))));

    DistributionScope.Tally tally = scope.tally(OBSERVATIONS);

    assertThat(tally.counts()).containsExactly(Map.entry("a", 1L), Map.entry("b", 2L));
    assertThat(tally.attributed()).isEqualTo(3);
    assertThat(tally.unattributed()).isEqualTo(2);
    assertThat(scope.describe("for")).isEqualTo(" for traffic paced sent in [100ms, 900ms)");
  }

  @Test
  void withoutTrafficOrWindowEveryRequestIsInScope() {
    DistributionScope scope =
        new DistributionScope(
            "catalog", SplitExpectation.Dimension.VERSION, Optional.empty(), Optional.empty());

    DistributionScope.Tally tally = scope.tally(OBSERVATIONS);

    assertThat(tally.counts()).containsExactly(Map.entry("v1", 6L));
    assertThat(tally.unattributed()).isEqualTo(1);
    assertThat(scope.describe("of")).isEmpty();
  }
}
