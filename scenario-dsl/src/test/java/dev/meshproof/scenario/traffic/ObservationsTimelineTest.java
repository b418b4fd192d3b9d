package dev.meshproof.scenario.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshproof.runtime.client.HttpOutcome;
import dev.meshproof.scenario.result.FailedRequest;
import dev.meshproof.scenario.result.Topology;
import dev.meshproof.scenario.result.TrafficTimeline;
import dev.meshproof.scenario.result.UpstreamAttempt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The evidence a report draws from a run's observations: attempts per failure, the timeline. */
class ObservationsTimelineTest {

  private static RequestObservation request(
      int index, String traffic, int status, int sentMs, int latencyMs) {
    return RequestObservation.builder()
        .index(index)
        .requestId("id-" + index)
        .traffic(traffic)
        .from("client")
        .url("http://catalog/")
        .kind(HttpOutcome.Kind.RESPONSE)
        .status(status)
        .instance("catalog-v1-0")
        .latency(Duration.ofMillis(latencyMs))
        .sentAt(Duration.ofMillis(sentMs))
        .build();
  }

  @Test
  void aFailedRequestKeepsEveryAttemptWithItsIdentityAndItsMirrorCopies() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    RequestObservation failed =
        request(0, "t", 503, 0, 40)
            .withAttempts(
                List.of(
                    new UpstreamAttemptObservation(
                        "catalog-v1-0", 503, t0, Duration.ofMillis(2), 1, "catalog", "spiffe://a"),
                    new UpstreamAttemptObservation(
                        "catalog-v1-1", 503, t0.plusMillis(30), Duration.ZERO, 2, "catalog", "")),
                List.of(
                    new UpstreamAttemptObservation(
                        "mirror-0", 200, t0.plusMillis(1), Duration.ZERO, 0, "catalog-shadow")));

    FailedRequest f = new Observations(List.of(failed)).failedRequests(20).get(0);

    assertThat(f.attempts())
        .containsExactly(
            new UpstreamAttempt("catalog-v1-0", 503, 1, 0, 2, "catalog", "spiffe://a"),
            new UpstreamAttempt("catalog-v1-1", 503, 2, 30, 0, "catalog", ""));
    assertThat(f.mirrors())
        .containsExactly(new UpstreamAttempt("mirror-0", 200, 0, 0, 0, "catalog-shadow", ""));
  }

  @Test
  void bucketsCountRequestsErrorsAndLatencyBySendTimeWithALaterSpecAfterTheFirst() {
    List<RequestObservation> requests = new ArrayList<>();
    // First spec: 100 requests over 0..990 ms, the ones sent in [500, 600) fail.
    for (int i = 0; i < 100; i++) {
      requests.add(request(i, "first", i >= 50 && i < 60 ? 503 : 200, i * 10, i + 1));
    }
    // Second spec, timed from its own start: placed after the first's last answer (990 + 100).
    requests.add(request(100, "second", 200, 0, 5));
    TrafficTimeline.FaultWindow window = new TrafficTimeline.FaultWindow("errors", 500, 600);

    TrafficTimeline timeline = new Observations(requests).timeline(List.of(window));

    // End 1090 ms / 40 buckets = 27.25 -> a 50 ms width.
    assertThat(timeline.bucketMillis()).isEqualTo(50);
    assertThat(timeline.buckets()).hasSize(22);
    assertThat(timeline.buckets().stream().mapToLong(TrafficTimeline.Bucket::requests).sum())
        .isEqualTo(101);
    TrafficTimeline.Bucket during = timeline.buckets().get(10);
    assertThat(during.startMillis()).isEqualTo(500);
    assertThat(during.requests()).isEqualTo(5);
    assertThat(during.errors()).isEqualTo(5);
    assertThat(during.p50Millis()).isEqualTo(53);
    assertThat(during.p99Millis()).isEqualTo(55);
    assertThat(timeline.buckets().get(9).errorRate()).isZero();
    assertThat(timeline.buckets().get(21).requests()).isEqualTo(1);
    assertThat(timeline.buckets().get(20).p50Millis()).isNaN();
    assertThat(timeline.faults()).containsExactly(window);
  }

  @Test
  void edgesCountEachClientsRequestsPerAnsweringInstanceAndTheUnanswered() {
    RequestObservation v1 = request(0, "t", 200, 0, 1);
    RequestObservation v2 =
        RequestObservation.builder()
            .index(1)
            .requestId("id-1")
            .traffic("t")
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.RESPONSE)
            .status(200)
            .instance("catalog-v2-0")
            .build();
    RequestObservation reset =
        RequestObservation.builder()
            .index(2)
            .requestId("id-2")
            .traffic("t")
            .from("client")
            .url("http://catalog/")
            .kind(HttpOutcome.Kind.RESET)
            .status(0)
            .error("reset")
            .build();

    List<Topology.Edge> edges = new Observations(List.of(v1, v2, v1, reset)).edges();

    assertThat(edges)
        .containsExactly(
            new Topology.Edge("client", "catalog-v1-0", 2),
            new Topology.Edge("client", "catalog-v2-0", 1),
            new Topology.Edge("client", "", 1));
  }

  @Test
  void widthsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(Observations.niceWidth(0.2)).isEqualTo(1);
    assertThat(Observations.niceWidth(1.5)).isEqualTo(2);
    assertThat(Observations.niceWidth(27.25)).isEqualTo(50);
    assertThat(Observations.niceWidth(120)).isEqualTo(200);
  }
}
